// Which stored files a pull compares arriving keys with: every file that may hold one of them,
// whatever the cache of their ranges says (a file replaced, a cache damaged).
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempLayout } from '../../testing/fixtures.ts';
import { storedFilesMayHold } from './stored-key-ranges.ts';

const layout = tempLayout();
const dir = join(layout.cachedData, 'team', 'invocations', 'date=2026-01-01');
let db: DuckDBConnection;
beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  mkdirSync(layout.tmp, { recursive: true });
  db = await (await DuckDBInstance.create(':memory:')).connect();
});
afterAll(() => rmSync(dirname(layout.root), { recursive: true, force: true }));

/** A stored file holding ids `id-<from>` … `id-<to>` (zero-padded), through a rename as bird publishes. */
async function stored(name: string, from: number, to: number, idType = 'VARCHAR'): Promise<string> {
  const path = join(dir, name);
  const id = idType === 'VARCHAR' ? `printf('id-%04d', i)` : 'i';
  await db.run(`COPY (SELECT ${id}::${idType} AS id FROM range(${from}, ${to + 1}) t(i)) TO '${path}.tmp' (FORMAT parquet)`);
  renameSync(`${path}.tmp`, path);
  return path;
}

const names = (files: readonly string[]) => files.map((f) => f.slice(dir.length + 1)).sort();

describe('storedFilesMayHold', () => {
  it.each([
    ['a range inside one file', 'id-0150', 'id-0160', ['b.parquet', 'n.parquet']],
    ['a range across two files', 'id-0090', 'id-0110', ['a.parquet', 'b.parquet', 'n.parquet']],
    ['a range of a file\'s last key', 'id-0100', 'id-0100', ['a.parquet', 'n.parquet']],
    ['a range of a file\'s first key', 'id-0101', 'id-0101', ['b.parquet', 'n.parquet']],
    ['a range between files', 'id-0250', 'id-0260', ['n.parquet']],
    ['a range past every file', 'id-0900', 'id-0999', ['n.parquet']],
  ])('keeps the files that may hold %s, and every file without a text range', async (_name, lo, hi, expected) => {
    const files = [await stored('a.parquet', 0, 100), await stored('b.parquet', 101, 200), await stored('c.parquet', 300, 400), await stored('n.parquet', 0, 1000, 'BIGINT')];
    for (let pass = 0; pass < 2; pass++) expect(names(storedFilesMayHold(layout, 'invocations', files, lo, hi))).toEqual(expected);
  });

  it('reads a file replaced since its range was kept', async () => {
    const file = await stored('r.parquet', 0, 10);
    expect(storedFilesMayHold(layout, 'invocations', [file], 'id-0500', 'id-0500')).toEqual([]);
    await stored('r.parquet', 495, 505);
    expect(storedFilesMayHold(layout, 'invocations', [file], 'id-0500', 'id-0500')).toEqual([file]);
  });

  it.each([
    ['not JSON', 'not json {'],
    ['a wrong shape', JSON.stringify({ invocations: { x: [1, 2] } })],
    ['a range that lies about a file, of another identity', null],
  ])('is right with a cache of %s', async (_name, text) => {
    const file = await stored('d.parquet', 0, 10);
    storedFilesMayHold(layout, 'invocations', [file], 'id-0005', 'id-0005');
    writeFileSync(layout.storedKeyRanges, text ?? JSON.stringify({ invocations: { [file]: [1, 2, 3, ['zzz', 'zzz']] } }));
    expect(storedFilesMayHold(layout, 'invocations', [file], 'id-0005', 'id-0005')).toEqual([file]);
  });
});
