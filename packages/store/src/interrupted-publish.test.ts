import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { TABLES, ensureRoot, localPartitionDir, recordMergedIds, type BirdLayout } from '@bird/core';
import { encodeParquet } from '@bird/writer-parquet';
import { interruptedPublishes } from './interrupted-publish.ts';
import { cachedPartitionDir } from './layout.ts';
import { invocation, tempLayout } from './testing/fixtures.ts';

const open: { instance: DuckDBInstance; connection: DuckDBConnection }[] = [];
afterEach(() =>
  open.splice(0).forEach(({ instance, connection }) => {
    connection.closeSync();
    instance.closeSync();
  }),
);

const DAY = '2024-06-01';
const rows = Array.from({ length: 4 }, (_, i) => invocation({ cmd: `echo ${i}` }));
const put = (dir: string, name: string, of: typeof rows | string) => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), typeof of === 'string' ? of : encodeParquet(TABLES.invocations, of));
  return join(dir, name);
};

async function storeAndConnection(): Promise<{ layout: BirdLayout; connection: DuckDBConnection }> {
  const layout = tempLayout();
  ensureRoot(layout);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  open.push({ instance, connection });
  return { layout, connection };
}

describe('interruptedPublishes (a publish whose intent cannot say what it was doing)', () => {
  it('finds, in the day whose ids were recorded last, the files a merged file holds every row of; never one with a row held nowhere else', async () => {
    const { layout, connection } = await storeAndConnection();
    const dir = localPartitionDir(layout, 'invocations', DAY);
    const merged = put(dir, 'c-0a.parquet', rows.slice(0, 3));
    const a = put(dir, 'a.parquet', rows.slice(0, 1));
    const b = put(dir, 'b.parquet', rows.slice(1, 3));
    put(dir, 'd.parquet', rows.slice(2, 4)); // one row held, one not: stays
    put(dir, 'broken.parquet', 'PAR1 cut short'); // unreadable: left for queries to quarantine
    const pulled = put(cachedPartitionDir(layout, 'team', 'invocations', DAY), 'c-0b.parquet', rows.slice(3));
    const pulledSource = put(cachedPartitionDir(layout, 'team', 'invocations', DAY), 'p-1.parquet', rows.slice(3));
    put(localPartitionDir(layout, 'invocations', '2024-06-02'), 'x.parquet', rows.slice(0, 1)); // another day: not looked at
    recordMergedIds(layout, 'invocations', DAY, rows.slice(0, 3).map((r) => r.id));

    const found = await interruptedPublishes(layout, connection);
    expect(found.map((p) => ({ ...p, sources: [...p.sources].sort() }))).toEqual([
      { table: 'invocations', date: DAY, output: merged, sources: [a, b] },
      { table: 'invocations', date: DAY, output: pulled, sources: [pulledSource] },
    ]);
    expect(readdirSync(dir)).toHaveLength(5); // only found: core's finishPublishes does the deleting
  });

  it('of two merged files with the same rows, one is found held by the other, never both', async () => {
    const { layout, connection } = await storeAndConnection();
    const dir = localPartitionDir(layout, 'invocations', DAY);
    const first = put(dir, 'c-01.parquet', rows);
    const second = put(dir, 'c-02.parquet', rows);
    recordMergedIds(layout, 'invocations', DAY, rows.map((r) => r.id));
    expect(await interruptedPublishes(layout, connection)).toEqual([{ table: 'invocations', date: DAY, output: first, sources: [second] }]);
  });

  it('finds nothing where nothing was ever merged', async () => {
    const { layout, connection } = await storeAndConnection();
    put(localPartitionDir(layout, 'invocations', DAY), 'a.parquet', rows);
    expect(await interruptedPublishes(layout, connection)).toEqual([]);
  });
});
