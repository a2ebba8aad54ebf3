// A removal takes a command of one series only: a row of another series with the same id (a
// teammate's, or a hostile copy of one of ours) stays, in both modes, and so does everything else.
import { describe, expect, it } from 'vitest';
import { birdLayout, ensureRoot, loadConfig, type StorageMode as ModeName } from '@bird/core';
import { initStore, openStore, registerCachedRemote } from '../index.ts';
import { invocation, session, tempDir, writeCached, writeLocal } from '../testing/fixtures.ts';
import { storageModeOf } from './open-storage-mode.ts';
import { join } from 'node:path';

async function rows(root: string): Promise<string[]> {
  const conn = await openStore(birdLayout(root), { onWarning: () => undefined }).connect({ attachRemotes: false });
  try {
    return (await conn.query("SELECT _source || ' ' || client_id || ' ' || cmd FROM main.invocations ORDER BY 1")).rows.map((r) => String(r[0]));
  } finally {
    conn.close();
  }
}

describe.each<ModeName>(['parquet', 'duckdb'])('remove (%s mode)', (mode) => {
  it('takes the command of its own series only, with its session left empty, and nothing else', async () => {
    const layout = birdLayout(join(tempDir('bird-remove-'), 'bird'));
    ensureRoot(layout, mode);
    await initStore(layout, mode);
    const mine = invocation({ cmd: 'secret', client_id: 'me@here', session_id: 's-mine' });
    const other = invocation({ cmd: 'keep', client_id: 'me@here', session_id: 's-other' });
    const theirs = invocation({ id: mine.id, cmd: 'same id, their series', client_id: 'bob@b' });
    const modeOf = storageModeOf(layout, loadConfig(layout));
    if (mode === 'parquet') {
      writeLocal(layout, 'invocations', [mine, other]);
      writeLocal(layout, 'sessions', [session({ session_id: 's-mine', client_id: 'me@here' }), session({ session_id: 's-other', client_id: 'me@here' })]);
    } else {
      await modeOf.append([{ invocation: mine, session: session({ session_id: 's-mine', client_id: 'me@here' }) }, { invocation: other, session: session({ session_id: 's-other', client_id: 'me@here' }) }]);
    }
    await registerCachedRemote(layout, 'team');
    if (mode === 'parquet') writeCached(layout, 'team', 'invocations', [theirs]);
    else {
      const conn = await import('@duckdb/node-api').then((m) => m.DuckDBInstance.create(layout.catalog));
      const c = await conn.connect();
      await c.run(`INSERT INTO cached_team.invocations (id, session_id, "timestamp", cmd, client_id, "date") VALUES ('${theirs.id}', 's-b', now(), 'same id, their series', 'bob@b', DATE '2024-06-01')`);
      c.closeSync();
      conn.closeSync();
    }
    const result = await modeOf.remove([{ id: mine.id, series: 'me@here' }]);
    expect(result.rows).toMatchObject({ invocations: 1, sessions: 1 });
    expect(await rows(layout.root)).toEqual(['local me@here keep', 'team bob@b same id, their series']);
    const conn = await openStore(layout, { onWarning: () => undefined }).connect({ attachRemotes: false });
    try {
      expect((await conn.query('SELECT session_id FROM local.sessions ORDER BY 1')).rows).toEqual([['s-other']]);
    } finally {
      conn.close();
    }
  });
});
