// A pull's rows meet the range forgets kept here: a series' commands before its cutoff, and the
// outputs and events of those that arrive with them, are left out; another series' rows of the
// same days, and the series' later rows, come in. In both modes.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { birdLayout, ensureRoot, loadConfig, writeRangeTombstones, type StorageMode as ModeName, type TableName } from '@bird/core';
import { initStore, openStore, registerCachedRemote } from '../index.ts';
import { event, invocation, output, tempDir, writeLake } from '../testing/fixtures.ts';
import { storageModeOf } from './open-storage-mode.ts';

const us = (iso: string) => BigInt(Date.parse(iso)) * 1000n;

describe.each<ModeName>(['parquet', 'duckdb'])('a pull into a store with a range forget (%s mode)', (mode) => {
  it("leaves out the series' commands before the cutoff with their outputs and events, and nothing else", async () => {
    const layout = birdLayout(join(tempDir('bird-ingest-range-'), 'bird'));
    ensureRoot(layout, mode);
    await initStore(layout, mode);
    writeRangeTombstones(layout, [{ series: 'bob@b', before: '2024-06-02T12:00:00.000Z', at: '2024-07-01T00:00:00.000Z', by: 'bob@b', why: 'retention' }]);
    const lake = tempDir('bird-ingest-lake-');
    const files = new Map<string, string[]>();
    const add = (table: TableName, client: string, date: string, rows: Record<string, unknown>[]) => {
      const key = `${table}\n${date}`;
      files.set(key, [...(files.get(key) ?? []), writeLake(lake, table, client, date, rows as never)]);
    };
    const commands = [
      invocation({ client_id: 'bob@b', cmd: 'bob old', timestamp: us('2024-06-01T10:00:00Z'), date: '2024-06-01' }),
      invocation({ client_id: 'bob@b', cmd: 'bob cut day, before', timestamp: us('2024-06-02T08:00:00Z'), date: '2024-06-02' }),
      invocation({ client_id: 'bob@b', cmd: 'bob cut day, after', timestamp: us('2024-06-02T14:00:00Z'), date: '2024-06-02' }),
      invocation({ client_id: 'carol@c', cmd: 'carol old', timestamp: us('2024-06-01T10:00:00Z'), date: '2024-06-01' }),
    ];
    for (const c of commands) {
      add('invocations', c.client_id, c.date, [c]);
      add('outputs', c.client_id, c.date, [output({ invocation_id: c.id, date: c.date, storage_ref: c.cmd })]);
      add('events', c.client_id, c.date, [event({ invocation_id: c.id, date: c.date, message: c.cmd })]);
    }
    // Outputs first, as a pull may list them: the commands are still read first.
    const groups = [...files].map(([key, list]) => ({ table: key.split('\n')[0] as TableName, date: key.split('\n')[1]!, files: list })).sort((a, b) => (a.table < b.table ? 1 : -1));
    await registerCachedRemote(layout, 'team');
    const warnings: string[] = [];
    await storageModeOf(layout, loadConfig(layout)).ingestFiles('team', groups, { fromSeries: true, nameOf: (f) => f, warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([]);
    const conn = await openStore(layout, { onWarning: () => undefined }).connect({ attachRemotes: false });
    try {
      const kept = ['bob cut day, after', 'carol old'];
      expect((await conn.query('SELECT cmd FROM main.invocations ORDER BY 1')).rows.flat()).toEqual(kept);
      expect((await conn.query('SELECT storage_ref FROM main.outputs ORDER BY 1')).rows.flat()).toEqual(kept);
      expect((await conn.query('SELECT message FROM main.events ORDER BY 1')).rows.flat()).toEqual(kept);
    } finally {
      conn.close();
    }
  });
});
