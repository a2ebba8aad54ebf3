// Exactly once under kill -9: pushes and pulls (the real bird-sync bundle, in child processes)
// are killed at random instants while clients keep capturing; after one clean run each, the
// lake holds every row once and each puller's cache holds every other client's rows once, in
// both storage modes.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { birdLayout, ensureRoot, loadConfig, type BirdLayout, type RemoteConfig, type StorageMode } from '@bird/core';
import { initStore, openStore, storageModeOf } from '@bird/store';
import { useTestBackends } from '../packages/remote/src/testing/backends.ts';
import { S3RVER_ENV } from '../packages/remote/src/testing/s3-server.ts';
import { invocation, session, tempDir, writeConfig } from '../packages/store/src/testing/fixtures.ts';
import { REPO, buildBundles } from './cli-helpers.ts';
import { indexedIdsAndSources, storedIdsAndSources } from './support/history-index.ts';
import { lakeRows } from './support/sync-clients.ts';

const SYNC = join(REPO, 'packages/sync-worker/dist/bird-sync.cjs');
const ROUNDS = 30;
const backends = useTestBackends();
beforeAll(() => buildBundles());

interface Client {
  readonly id: string;
  readonly layout: BirdLayout;
  written: number;
}

async function newClient(id: string, remote: RemoteConfig, mode: StorageMode = 'parquet'): Promise<Client> {
  const layout = birdLayout(join(tempDir('bird-fault-client-'), 'bird'));
  ensureRoot(layout, mode);
  writeConfig(layout, [remote], mode);
  await initStore(layout, mode);
  return { id, layout, written: 0 };
}

/** Stores `n` commands as a shell's capture does: through the storage mode, which journals them for the history index. */
async function capture(c: Client, n: number, round: number): Promise<void> {
  const date = `2024-06-${String(1 + (round % 3)).padStart(2, '0')}`;
  const s = session({ client_id: c.id, date });
  const rows = Array.from({ length: n }, (_, i) => ({ invocation: invocation({ client_id: c.id, session_id: s.session_id, cmd: `r${round} ${c.id} ${i}`, date }), session: s }));
  expect((await storageModeOf(c.layout, loadConfig(c.layout)).append(rows)).written).toBe(n);
  c.written += n;
}

/** Runs bird-sync; kills it with SIGKILL after `killAfterMs` unless it finished first. Resolves with its exit (or the signal). */
function runSync(c: Client, args: string[], killAfterMs?: number, asCron = false): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...S3RVER_ENV, BIRD_ROOT: c.layout.root, BIRD_CLIENT_ID: c.id };
  // Cron's environment lacks the shells' export: the id must come from config.toml, which the
  // first push settles (the kills alone never caught that a push under another id broke the lake).
  if (asCron) delete env.BIRD_CLIENT_ID;
  delete env.NODE_EXTRA_CA_CERTS;
  const child = spawn(process.execPath, [SYNC, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return new Promise((resolve) => child.on('close', (code, signal) => {
    clearTimeout(timer);
    resolve({ code, signal, stderr });
  }));
}

async function cacheCounts(c: Client): Promise<{ rows: number; distinct: number }> {
  const conn = await openStore(c.layout, { onWarning: () => undefined }).connect({ attachRemotes: false });
  try {
    const { rows } = await conn.query("SELECT count(*)::INT, count(DISTINCT id)::INT FROM main.invocations WHERE _source = 'team'");
    return { rows: Number(rows[0]![0]), distinct: Number(rows[0]![1]) };
  } finally {
    conn.close();
  }
}

describe.each(['file', 's3'] as const)('kill -9 during push and pull (%s remote)', (kind) => {
  it(`${ROUNDS} rounds of killed pushes and pulls end with every row once`, async () => {
    const remote: RemoteConfig =
      kind === 'file'
        ? { name: 'team', type: 'file', uri: tempDir('bird-fault-lake-'), mode: 'read_write', auto_attach: false }
        : { name: 'team', type: 's3', uri: `s3://lake/faults-${Date.now()}`, endpoint: backends.s3().endpoint, mode: 'read_write', auto_attach: false };
    // carol only pulls, in duckdb mode: her killed pulls are cut short inside bird.duckdb's transaction.
    const [a, b, c] = await Promise.all([newClient('alice@a', remote), newClient('bob@b', remote), newClient('carol@c', remote, 'duckdb')]);
    let killed = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const writer = round % 2 === 0 ? a! : b!;
      await capture(writer, 1 + (round % 3), round);
      // Kill points spread over the whole run: before the store opens, mid-upload, mid-ingest, after.
      const results = await Promise.all([
        runSync(writer, ['push', '--remote', 'team'], Math.floor(Math.random() * 900), round % 3 === 2),
        runSync(c!, ['pull', '--remote', 'team'], Math.floor(Math.random() * 900)),
        runSync(round % 2 === 0 ? b! : a!, ['pull', '--remote', 'team'], Math.floor(Math.random() * 900)),
      ]);
      for (const r of results) {
        if (r.signal === 'SIGKILL') killed++;
        else expect(r.stderr, 'a run that was not killed succeeds').toBe('');
      }
    }
    // Recovery: one clean push from each writer, then one clean pull everywhere.
    for (const x of [a!, b!]) expect((await runSync(x, ['push', '--remote', 'team'])).stderr).toBe('');
    for (const x of [a!, b!, c!]) expect((await runSync(x, ['pull', '--remote', 'team'])).stderr).toBe('');

    const total = a!.written + b!.written;
    // The lake read straight from its objects, not through bird's index.
    const inLake = await lakeRows(remote);
    expect({ rows: inLake.length, distinct: new Set(inLake.map((r) => r.id)).size }).toEqual({ rows: total, distinct: total });
    expect(inLake.filter((r) => r.series !== r.client_id), 'rows in a series other than their own').toEqual([]);
    expect(await cacheCounts(c!)).toEqual({ rows: total, distinct: total });
    expect(await cacheCounts(a!)).toEqual({ rows: b!.written, distinct: b!.written });
    expect(await cacheCounts(b!)).toEqual({ rows: a!.written, distinct: a!.written });
    // Search and `bird history` find every row too: a pull killed between adding rows and
    // rebuilding the history index left a stale marker, so the first reader rebuilds.
    for (const x of [a!, b!, c!]) expect(await indexedIdsAndSources(x.layout)).toEqual(await storedIdsAndSources(x.layout));
    // The loop must really have cut runs short, or it proved nothing.
    expect(killed).toBeGreaterThan(ROUNDS / 2);
  }, 600_000);
});
