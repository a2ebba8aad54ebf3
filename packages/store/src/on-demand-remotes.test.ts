// Remotes kept for on-demand use (`auto_attach = false`) attached by name on one connection,
// with real file lakes and real DuckDB.
import { beforeAll, describe, expect, test } from 'vitest';
import type { BirdLayout } from '@bird/core';
import { RemoteAttachError, RemoteNotAttachedError, UnknownRemoteError, initStore, openStore, type BirdConnection, type ConnectionOptions } from './index.ts';
import { fileRemote, invocation, tempDir, tempLayout, warningSink, writeConfig, writeLake, writeLocal } from './testing/fixtures.ts';

let layout: BirdLayout;

beforeAll(async () => {
  layout = tempLayout();
  const team = tempDir();
  const backup = tempDir();
  await initStore(layout, 'parquet');
  writeConfig(layout, [
    fileRemote('team', team),
    fileRemote('backup', backup, { auto_attach: false }),
    fileRemote('unplugged', '/dev/null/lake', { auto_attach: false }),
    fileRemote('gone', '/dev/null/gone'),
  ]);
  writeLocal(layout, 'invocations', [invocation({ cmd: 'mine' })]);
  writeLake(team, 'invocations', 't@x', '2024-06-01', [invocation({ cmd: 'team' })]);
  writeLake(backup, 'invocations', 'b@y', '2024-06-01', [invocation({ cmd: 'old one' }), invocation({ cmd: 'old two' })]);
});

async function connected<T>(options: Partial<ConnectionOptions>, work: (c: BirdConnection) => Promise<T>): Promise<T> {
  const conn = await openStore(layout, warningSink()).connect(options);
  try {
    return await work(conn);
  } finally {
    conn.close();
  }
}

const rows = async (c: BirdConnection, sql: string) => (await c.query(sql)).rows;

describe('a remote with auto_attach = false', () => {
  test('is not attached by default, and a query naming it is told how to attach it', async () => {
    await connected({}, async (c) => {
      expect(c.attachedRemotes).toEqual(['team']);
      const failure = c.query('SELECT cmd FROM remote_backup.invocations');
      await expect(failure).rejects.toBeInstanceOf(RemoteNotAttachedError);
      await expect(failure).rejects.toThrow('remote backup is not attached (auto_attach = false in config.toml); run the query with `bird sql --attach backup`.');
      expect(await rows(c, 'SELECT cmd FROM remotes_invocations() ORDER BY cmd')).toEqual([['team']]);
    });
  });

  test('asked for by name, it is attached on that connection and in remotes_*()', async () => {
    await connected({ attachOnDemand: ['backup'] }, async (c) => {
      expect(c.attachedRemotes).toEqual(['team', 'backup']);
      expect(await rows(c, 'SELECT cmd, _source FROM remote_backup.invocations ORDER BY cmd')).toEqual([['old one', 'backup'], ['old two', 'backup']]);
      expect(await rows(c, 'SELECT _source, count(*)::INT FROM remotes_invocations() GROUP BY 1 ORDER BY 1')).toEqual([['backup', 2], ['team', 1]]);
    });
    // Per connection: the next one is back to the auto-attach ones.
    await connected({}, async (c) => expect(c.attachedRemotes).toEqual(['team']));
  });

  test('asked for on a connection without the auto-attach ones, it is the only one', async () => {
    await connected({ attachRemotes: false, attachOnDemand: ['backup'] }, async (c) => {
      expect(c.attachedRemotes).toEqual(['backup']);
    });
  });

  test('asked for but unreachable, it fails the connect in one sentence, and the store stays usable', async () => {
    const connect = openStore(layout, warningSink()).connect({ attachOnDemand: ['unplugged'] });
    await expect(connect).rejects.toBeInstanceOf(RemoteAttachError);
    await expect(connect).rejects.toThrow(/^remote unplugged not attached: \/dev\/null\/lake is not reachable \(ENOTDIR\)\.$/);
    await connected({}, async (c) => expect(await rows(c, 'SELECT count(*)::INT FROM main.invocations')).toEqual([[1]]));
  });

  test('all attaches every remote, and fails like a name would when one cannot be', async () => {
    await expect(openStore(layout, warningSink()).connect({ attachOnDemand: 'all' })).rejects.toBeInstanceOf(RemoteAttachError);
  });
});

test('a name config.toml does not have is refused before anything is opened', async () => {
  await expect(openStore(layout, warningSink()).connect({ attachOnDemand: ['nope'] })).rejects.toBeInstanceOf(UnknownRemoteError);
});

test('a query naming an auto-attach remote that failed to attach is told why', async () => {
  await connected({}, async (c) => {
    await expect(c.query('SELECT * FROM remote_gone.invocations')).rejects.toThrow(
      /^remote gone not attached: \/dev\/null\/gone is not reachable \(ENOTDIR\), so the query cannot read it\.$/,
    );
  });
});
