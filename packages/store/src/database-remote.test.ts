// A remote whose uri names a .duckdb file (the seed's form) is attached read-only as remote_<name>.
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { expect, it } from 'vitest';
import { initStore, openStore } from './index.ts';
import { fileRemote, tempDir, tempLayout, warningSink, writeConfig } from './testing/fixtures.ts';

it('reads a .duckdb remote\'s tables as remote_<name>, typed and tagged, and never writes the file', async () => {
  const path = join(tempDir(), 'bird.duckdb');
  const db = await DuckDBInstance.create(path);
  const c = await db.connect();
  // As a database written by another BIRD: its own column order, an extra column, events from
  // before kind/test_name/status/duration_ms, no outputs table.
  await c.run(`CREATE TABLE events AS SELECT 'e1' AS id, 'id-0' AS invocation_id, 'error' AS severity, 'a.c' AS ref_file, 3 AS ref_line, NULL::INT AS ref_column, 'boom' AS message, NULL AS code, DATE '2024-06-01' AS "date"`);
  await c.run(`CREATE TABLE invocations AS SELECT 'id-' || i AS id, 'bob@b' AS client_id, 'echo ' || i AS cmd, 0 AS exit_code, TIMESTAMPTZ '2024-06-01 10:00:00+00' AS "timestamp", DATE '2024-06-01' AS "date", 'extra' AS something_else,
    's' AS session_id, 5 AS duration_ms, '/w' AS cwd, 'echo' AS executable, 'b' AS hostname, 'zsh' AS shell FROM range(3) t(i)`);
  c.closeSync();
  db.closeSync();

  const layout = tempLayout();
  await initStore(layout);
  writeConfig(layout, [fileRemote('backup', path, { mode: 'read_only' })]);
  const sink = warningSink();
  const conn = await openStore(layout, sink).connect();
  try {
    expect(sink.warnings).toEqual([]);
    expect((await conn.query('SELECT cmd, _source FROM remote_backup.invocations ORDER BY cmd')).rows).toEqual([['echo 0', 'backup'], ['echo 1', 'backup'], ['echo 2', 'backup']]);
    expect((await conn.query('SELECT count(*)::INT FROM remotes_invocations()')).rows).toEqual([[3]]);
    expect((await conn.query('SELECT id, message, kind, status FROM remote_backup.events')).rows).toEqual([['e1', 'boom', null, null]]);
    // A table the database lacks (it has no outputs) reads empty, typed like ours.
    expect((await conn.query('SELECT count(*)::INT FROM remote_backup.outputs')).rows).toEqual([[0]]);
    await expect(conn.query("INSERT INTO remote_backup__database.invocations (id) VALUES ('x')")).rejects.toThrow(/read-only/i);
  } finally {
    conn.close();
  }
});

it('a .duckdb remote that is missing is skipped with one warning', async () => {
  const layout = tempLayout();
  await initStore(layout);
  writeConfig(layout, [fileRemote('backup', join(tempDir(), 'gone.duckdb'))]);
  const sink = warningSink();
  const conn = await openStore(layout, sink).connect();
  conn.close();
  expect(sink.warnings).toEqual([expect.stringMatching(/^remote backup not attached: .*gone\.duckdb does not exist; check the remote.s uri\.$/)]);
});
