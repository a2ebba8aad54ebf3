// A database remote (its uri names a .duckdb file, the seed's form), in a folder and on a real
// S3-compatible server: pulled into cached_<name> once, re-read only when it changed, read live
// as remote_<name>, and never pushed to.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { birdLayout, ensureRoot, loadConfig, type BirdLayout, type RemoteConfig, type StorageMode } from '@bird/core';
import { initStore, openStore } from '@bird/store';
import { createRemoteBackend } from '@bird/remote';
import { useTestBackends } from '../packages/remote/src/testing/backends.ts';
import { S3RVER_ENV } from '../packages/remote/src/testing/s3-server.ts';
import { tempDir, writeConfig } from '../packages/store/src/testing/fixtures.ts';
import { pull } from '../packages/sync-worker/src/index.ts';
import { REPO, buildBundles } from './cli-helpers.ts';

const SYNC = join(REPO, 'packages/sync-worker/dist/bird-sync.cjs');
const backends = useTestBackends();
beforeAll(() => buildBundles());

const ME = 'alice@a';

/** Adds `n` invocations (and their session) of `client` on `date` to the database at `path`, in `main` as the seed keeps them. */
async function addRows(path: string, client: string, n: number, date: string, tag = 'cmd'): Promise<void> {
  const db = await DuckDBInstance.create(path);
  try {
    const c = await db.connect();
    await c.run(`CREATE TABLE IF NOT EXISTS invocations (id VARCHAR, session_id VARCHAR, "timestamp" TIMESTAMPTZ, duration_ms BIGINT, cwd VARCHAR, cmd VARCHAR, executable VARCHAR, exit_code INTEGER, client_id VARCHAR, hostname VARCHAR, shell VARCHAR, "date" DATE)`);
    await c.run(`CREATE TABLE IF NOT EXISTS sessions (session_id VARCHAR, client_id VARCHAR, invoker VARCHAR, invoker_pid INTEGER, registered_at TIMESTAMPTZ, cwd VARCHAR, "date" DATE)`);
    await c.run(`INSERT INTO invocations SELECT '${tag}-${client}-' || i, 's-${client}', TIMESTAMPTZ '${date} 10:00:00+00' + i * INTERVAL 1 SECOND, 5, '/w', '${tag} ${client} ' || i, 'echo', 0, '${client}', 'h', 'zsh', DATE '${date}' FROM range(${n}) t(i)`);
    await c.run(`INSERT INTO sessions SELECT 's-${client}', '${client}', 'zsh', 1, TIMESTAMPTZ '${date} 09:00:00+00', '/w', DATE '${date}' WHERE NOT EXISTS (SELECT 1 FROM sessions WHERE session_id = 's-${client}')`);
    c.closeSync();
  } finally {
    db.closeSync();
  }
}

let seq = 0;
/** A database remote of `kind` holding what `fill` writes; `publish()` makes later changes visible (an upload, for S3). */
async function databaseRemote(kind: 'file' | 's3', fill: (path: string) => Promise<void>): Promise<{ remote: RemoteConfig; path: string; publish: () => Promise<void> }> {
  const path = join(tempDir('bird-db-remote-'), 'team.duckdb');
  await fill(path);
  if (kind === 'file') return { remote: { name: 'team', type: 'file', uri: path, mode: 'read_only', auto_attach: true }, path, publish: async () => {} };
  const folder = `s3://lake/db${++seq}`;
  const publish = async () => {
    const backend = await createRemoteBackend({ name: 'up', type: 's3', uri: folder, endpoint: backends.s3().endpoint, mode: 'read_write', auto_attach: false });
    try {
      await backend.put('team.duckdb', path);
    } finally {
      backend.close();
    }
  };
  await publish();
  return { remote: { name: 'team', type: 's3', uri: `${folder}/team.duckdb`, endpoint: backends.s3().endpoint, mode: 'read_only', auto_attach: true }, path, publish };
}

async function newClient(remote: RemoteConfig, mode: StorageMode = 'parquet'): Promise<BirdLayout> {
  const layout = birdLayout(join(tempDir('bird-db-client-'), 'bird'));
  ensureRoot(layout, mode);
  writeConfig(layout, [remote], mode);
  await initStore(layout, mode);
  return layout;
}

const env = { ...process.env, BIRD_CLIENT_ID: ME };
const doPull = (layout: BirdLayout, over = {}) => pull(layout, loadConfig(layout), loadConfig(layout).remotes[0]!, { env, ...over });

/** Cached invocations by client, and how many ids appear twice. */
async function cached(layout: BirdLayout): Promise<{ byClient: Record<string, number>; duplicates: number }> {
  const conn = await openStore(layout, { onWarning: () => undefined }).connect({ attachRemotes: false });
  try {
    const { rows } = await conn.query("SELECT client_id, count(*)::INT FROM main.invocations WHERE _source = 'team' GROUP BY 1 ORDER BY 1");
    const dup = await conn.query('SELECT count(*)::INT - count(DISTINCT id)::INT FROM main.invocations');
    return { byClient: Object.fromEntries(rows.map((r) => [String(r[0]), Number(r[1])])), duplicates: Number(dup.rows[0]![0]) };
  } finally {
    conn.close();
  }
}

describe.each(['file', 's3'] as const)('a .duckdb remote (%s)', (kind) => {
  it('pulls every client but this one, --since first, then the rest; re-reads only when it changed', async () => {
    const { remote, path, publish } = await databaseRemote(kind, async (p) => {
      await addRows(p, 'bob@b', 3, '2024-06-01');
      await addRows(p, 'carol@c', 2, '2024-06-03');
      await addRows(p, ME, 4, '2024-06-02'); // this machine's own rows: local here, not pulled
    });
    const layout = await newClient(remote);

    expect(await doPull(layout, { since: '2024-06-02' })).toMatchObject({ rows: 3 }); // carol's 2 and her session
    expect(await cached(layout)).toEqual({ byClient: { 'carol@c': 2 }, duplicates: 0 });
    expect(await doPull(layout)).toMatchObject({ rows: 4, objects: 0 }); // bob's 3 and his session; carol's are there already
    expect(await doPull(layout)).toMatchObject({ rows: 0, objects: 0, bytes: 0 });
    expect(await doPull(layout, { since: '2024-06-05' })).toMatchObject({ rows: 0, objects: 0 });

    await addRows(path, 'bob@b', 2, '2024-06-04', 'later');
    await publish();
    expect(await doPull(layout)).toMatchObject({ rows: 2 });
    expect(await cached(layout)).toEqual({ byClient: { 'bob@b': 5, 'carol@c': 2 }, duplicates: 0 });
    expect(await doPull(layout)).toMatchObject({ rows: 0 });

    // --client names one series, this machine's own included.
    const other = await newClient(remote, 'duckdb');
    expect(await doPull(other, { client: 'carol@c' })).toMatchObject({ rows: 3 });
    expect(await cached(other)).toEqual({ byClient: { 'carol@c': 2 }, duplicates: 0 });
  });

  it('reads live as remote_<name>; an S3 one is downloaded once per version', async () => {
    const { remote, path, publish } = await databaseRemote(kind, (p) => addRows(p, 'bob@b', 3, '2024-06-01'));
    const layout = await newClient(remote);
    const count = async () => {
      const conn = await openStore(layout, { onWarning: (m) => expect.fail(m) }).connect();
      try {
        return Number((await conn.query('SELECT count(*) FROM remote_team.invocations')).rows[0]![0]);
      } finally {
        conn.close();
      }
    };
    const copies = () => (kind === 'file' ? [] : readdirSync(join(layout.mirror, 'team')).filter((f) => f.endsWith('.duckdb')).map((f) => `${f}@${statSync(join(layout.mirror, 'team', f)).mtimeMs}`));
    expect(await count()).toBe(3);
    const first = copies();
    expect(await count()).toBe(3);
    expect(copies()).toEqual(first); // the same copy, not downloaded again
    await addRows(path, 'bob@b', 1, '2024-06-02', 'later');
    await publish();
    expect(await count()).toBe(4);
    if (kind === 's3') {
      expect(copies()).toHaveLength(1);
      expect(copies()).not.toEqual(first);
    }
  });

  it('bird-sync pulls it and does not push to it; bird-sync push names it and says what to do', async () => {
    const { remote } = await databaseRemote(kind, (p) => addRows(p, 'bob@b', 2, '2024-06-01'));
    const layout = await newClient({ ...remote, mode: 'read_write' });
    const run = (...args: string[]) => {
      const e: NodeJS.ProcessEnv = { ...env, ...S3RVER_ENV, BIRD_ROOT: layout.root };
      delete e.NODE_EXTRA_CA_CERTS;
      return spawnSync(process.execPath, [SYNC, ...args], { env: e, encoding: 'utf8' });
    };
    const synced = run('--remote', 'team');
    expect(synced.stderr).toBe('');
    expect(synced.status).toBe(0);
    expect(await cached(layout)).toEqual({ byClient: { 'bob@b': 2 }, duplicates: 0 });
    const pushed = run('push', '--remote', 'team');
    expect(pushed.status).toBe(2);
    expect(pushed.stderr).toMatch(/^bird-sync: .*remote team is a DuckDB database .*; to push, add a remote whose uri is a folder or an S3 prefix\.\n$/);
  });
});
