// A live remote is a folder other machines (and other tools, and hands) write: a folder in it
// that is not a series or a day must not break every query that reads the remote.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConnectionOptions, initStore, openStore } from './index.ts';
import { fileRemote, invocation, tempDir, tempLayout, writeConfig, writeLake } from './testing/fixtures.ts';

describe('a live remote with folders that are not batches', () => {
  it.each([
    ['a day that is not one', 'invocations/client=bob@b/date=not-a-date'],
    ['a day past the calendar', 'invocations/client=bob@b/date=2024-99-99'],
    ['a folder that is no series', 'invocations/junk'],
  ])('%s: remote_<name> reads its batches and nothing else', async (_, folder) => {
    const layout = tempLayout();
    const lake = tempDir();
    await initStore(layout, 'parquet');
    writeConfig(layout, [fileRemote('team', lake)]);
    writeLake(lake, 'invocations', 'bob@b', '2024-06-01', [invocation({ client_id: 'bob@b' }), invocation({ client_id: 'bob@b' })]);
    // A good batch where no batch belongs: read by a glob, its folder name fails the query.
    mkdirSync(join(lake, folder), { recursive: true });
    copyFileSync(writeLake(tempDir(), 'invocations', 'x', '2024-06-01', [invocation()]), join(lake, folder, 'stray.parquet'));
    const conn = await openStore(layout, { onWarning: () => undefined }).connect(ConnectionOptions.full());
    try {
      expect((await conn.query('SELECT count(*)::INT FROM remote_team.invocations')).rows).toEqual([[2]]);
      expect((await conn.query('SELECT count(*)::INT FROM remotes_invocations()')).rows).toEqual([[2]]);
    } finally {
      conn.close();
    }
  });
});
