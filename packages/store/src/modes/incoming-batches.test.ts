import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { flatIncomingName, partitionsOfFile, readIncoming } from './incoming-batches.ts';

describe('flatIncomingName and partitionsOfFile', () => {
  it.each<[string, string, Record<string, string>]>([
    ['a lake key', 'invocations/client=ann@team/date=2026-01-02/b1.parquet', { client: 'ann@team', date: '2026-01-02' }],
    ['glob and quote characters in a client', "events/client=a*b?(c)'~!/date=2026-01-02/x.parquet", { client: "a*b?(c)'~!", date: '2026-01-02' }],
    ['a value holding "="', 'outputs/client=a=b/date=2026-01-02/x.parquet', { client: 'a=b', date: '2026-01-02' }],
  ])('%s: one file name, no folder, no glob character, its partitions read back', (_, key, parts) => {
    const name = flatIncomingName(key);
    expect(name).not.toMatch(/[/\\*?[\]{}'=]/);
    expect(Object.fromEntries(partitionsOfFile(join('/x/incoming', name)))).toEqual(parts);
  });

  it.each<[string, string, Record<string, string>]>([
    ['a series folder and a flat name (a pull)', `/x/incoming/client=ann@team/${flatIncomingName('outputs/date=2026-01-02/3.parquet')}`, { client: 'ann@team', date: '2026-01-02' }],
    ['hive folders (a database export)', '/x/incoming/invocations/date=2026-01-02/rows.parquet', { date: '2026-01-02' }],
    ['a folder and a flat name: the name wins', `/x/date=1999-01-01/${flatIncomingName('t/date=2026-01-02/y.parquet')}`, { date: '2026-01-02' }],
    ['a name that is not a flat name', '/x/incoming/100%.parquet', {}],
    ['no partitions', '/x/y.parquet', {}],
  ])('%s', (_, file, parts) => {
    expect(Object.fromEntries(partitionsOfFile(file))).toEqual(parts);
  });
});

describe('readIncoming', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bird-incoming-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("gives each row its file's client and date from the path, over the file's own columns", async () => {
    // As a pull keeps them: a folder per series, a flat name for the table, day and batch.
    const incoming = join(dir, 'incoming');
    for (const client of ['ann@team', 'bob@team']) mkdirSync(join(incoming, `client=${client}`), { recursive: true });
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    const ann = join(incoming, 'client=ann@team', flatIncomingName('invocations/date=2026-01-02/0.parquet'));
    const bob = join(incoming, 'client=bob@team', flatIncomingName('invocations/date=2026-01-03/1.parquet'));
    // Ann's file claims to be Bob's, of another day: the key (the series it was read from) wins.
    await connection.run(`COPY (SELECT 'i1' AS id, 'bob@team' AS client, DATE '1999-01-01' AS "date") TO '${ann}' (FORMAT parquet)`);
    await connection.run(`COPY (SELECT 'i2' AS id, 7 AS extra) TO '${bob}' (FORMAT parquet)`);
    const rows = (await connection.runAndReadAll(`SELECT id, client, "date", extra FROM ${readIncoming([ann, bob], true)} ORDER BY id`)).getRows();
    expect(rows.map((r) => r.map(String))).toEqual([
      ['i1', 'ann@team', '2026-01-02', 'null'],
      ['i2', 'bob@team', '2026-01-03', '7'],
    ]);
    connection.closeSync();
  });
});
