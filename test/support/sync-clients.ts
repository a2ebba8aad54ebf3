// Machines sharing a lake, for the sync tests: each client has its own BIRD root, captures rows
// (as files in parquet mode, rows of bird.duckdb in duckdb mode), and runs the real bird-sync
// bundle or the push/pull functions. Every count is read through the store, as `bird sql` would.
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { birdLayout, ensureRoot, loadConfig, quoteLiteral, type BirdLayout, type RemoteConfig, type StorageMode } from '@bird/core';
import { initStore, openStore } from '@bird/store';
import { createRemoteBackend, parseLakeKey, type RemoteBackend } from '@bird/remote';
import { S3RVER_ENV } from '../../packages/remote/src/testing/s3-server.ts';
import { invocation, session, tempDir, writeConfig, writeLocal, writeRowsAsFiles } from '../../packages/store/src/testing/fixtures.ts';
import { pull, push } from '../../packages/sync-worker/src/index.ts';
import { REPO } from '../cli-helpers.ts';

export const SYNC = join(REPO, 'packages/sync-worker/dist/bird-sync.cjs');
export const BIRD = join(REPO, 'packages/cli/dist/bird.cjs');

export interface Client {
  /** The client id its shells export (BIRD_CLIENT_ID); rows are captured under it. */
  id: string;
  readonly layout: BirdLayout;
  /** The environment of its shells; cron's is the same without BIRD_CLIENT_ID. */
  readonly env: NodeJS.ProcessEnv;
  /** Ids of the invocations captured, in order. */
  readonly captured: string[];
}

export async function newClient(id: string, remotes: RemoteConfig | RemoteConfig[], mode: StorageMode = 'parquet'): Promise<Client> {
  const layout = birdLayout(join(tempDir('bird-sync-client-'), 'bird'));
  ensureRoot(layout, mode, { ...process.env, BIRD_CLIENT_ID: id });
  writeConfig(layout, Array.isArray(remotes) ? remotes : [remotes], mode);
  await initStore(layout, mode);
  const env: NodeJS.ProcessEnv = { ...process.env, ...S3RVER_ENV, BIRD_ROOT: layout.root, BIRD_CLIENT_ID: id };
  delete env.NODE_EXTRA_CA_CERTS;
  return { id, layout, env, captured: [] };
}

/** `n` commands run on `client` on `date`, recorded under client id `as` (default: the client's). */
export async function capture(client: Client, n: number, date = '2024-06-01', tag = 'cmd', as = client.id): Promise<void> {
  const rows = Array.from({ length: n }, (_, i) => invocation({ client_id: as, cmd: `${tag} ${as} ${i}`, date, timestamp: BigInt(Date.parse(`${date}T10:00:00Z`)) * 1000n + BigInt(client.captured.length + i) }));
  client.captured.push(...rows.map((r) => r.id));
  const sessions = [session({ client_id: as, date })];
  if (loadConfig(client.layout).storage.mode === 'parquet') {
    writeLocal(client.layout, 'invocations', rows);
    writeLocal(client.layout, 'sessions', sessions);
    return;
  }
  const files = tempDir('bird-sync-rows-');
  writeRowsAsFiles(join(files, 'invocations'), 'invocations', rows);
  writeRowsAsFiles(join(files, 'sessions'), 'sessions', sessions);
  const db = await DuckDBInstance.create(client.layout.catalog);
  try {
    const c = await db.connect();
    for (const table of ['invocations', 'sessions']) await c.run(`INSERT INTO local.${table} BY NAME SELECT * FROM read_parquet('${join(files, table)}/*/*.parquet', hive_partitioning = false)`);
    c.closeSync();
  } finally {
    db.closeSync();
  }
}

const configOf = (c: Client) => loadConfig(c.layout);
const remoteOf = (c: Client, name?: string) => configOf(c).remotes.find((r) => name === undefined || r.name === name)!;

/** push() in this process, as `c`'s shells would run it (or with `env` instead, as cron). */
export const doPush = (c: Client, over: Parameters<typeof push>[3] & { remote?: string } = {}) => push(c.layout, configOf(c), remoteOf(c, over.remote), { env: c.env, ...over });
export const doPull = (c: Client, over: Parameters<typeof pull>[3] & { remote?: string } = {}) =>
  pull(c.layout, configOf(c), remoteOf(c, over.remote), { env: c.env, onWarning: (m) => { throw new Error(m); }, ...over });

export interface ProcessRun {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a bundle (bird-sync by default) as `c`; `env` replaces the shells' environment; killed with SIGKILL after `killAfterMs`. */
export function runAs(c: Client, args: string[], options: { env?: NodeJS.ProcessEnv; killAfterMs?: number; bundle?: string } = {}): Promise<ProcessRun> {
  const child = spawn(process.execPath, [options.bundle ?? SYNC, ...args], { env: options.env ?? c.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = options.killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.killAfterMs);
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    }),
  );
}

/** The environment cron runs bird-sync in: the shells' without BIRD_CLIENT_ID. */
export function cronEnv(c: Client): NodeJS.ProcessEnv {
  const env = { ...c.env };
  delete env.BIRD_CLIENT_ID;
  return env;
}

/** Rows of main.invocations by source, and how many ids appear more than once. */
export async function bySource(c: Client): Promise<{ counts: Record<string, number>; duplicates: number }> {
  const conn = await openStore(c.layout, { onWarning: () => undefined }).connect({ attachRemotes: false });
  try {
    const { rows } = await conn.query('SELECT _source, count(*)::INT FROM main.invocations GROUP BY 1 ORDER BY 1');
    const dup = await conn.query('SELECT count(*)::INT - count(DISTINCT id)::INT FROM main.invocations');
    return { counts: Object.fromEntries(rows.map((r) => [String(r[0]), Number(r[1])])), duplicates: Number(dup.rows[0]![0]) };
  } finally {
    conn.close();
  }
}

/** Ids of main.invocations from `source`, sorted. */
export async function idsFrom(c: Client, source: string): Promise<string[]> {
  const conn = await openStore(c.layout, { onWarning: () => undefined }).connect({ attachRemotes: false });
  try {
    const { rows } = await conn.query(`SELECT id FROM main.invocations WHERE _source = ${quoteLiteral(source)} ORDER BY id`);
    return rows.map((r) => String(r[0]));
  } finally {
    conn.close();
  }
}

/** Every invocation batch in the lake read straight from its objects (not through bird's index): series, client_id and id of each row. */
export async function lakeRows(remote: RemoteConfig): Promise<{ series: string; client_id: string; id: string }[]> {
  const backend = await createRemoteBackend(remote);
  const dir = tempDir('bird-lake-read-');
  try {
    const files: string[] = [];
    for (const o of await backend.list('invocations/')) {
      if (!parseLakeKey(o.key)) continue;
      const dest = join(dir, o.key);
      await backend.get(o.key, dest);
      files.push(dest);
    }
    if (files.length === 0) return [];
    const db = await DuckDBInstance.create(':memory:');
    try {
      const conn = await db.connect();
      const r = await conn.runAndReadAll(`SELECT regexp_extract(filename, 'client=([^/]+)/', 1) AS series, client_id, id FROM read_parquet([${files.map(quoteLiteral).join(', ')}], filename = true, hive_partitioning = false) ORDER BY id`);
      conn.closeSync();
      return r.getRowObjectsJS() as { series: string; client_id: string; id: string }[];
    } finally {
      db.closeSync();
    }
  } finally {
    backend.close();
  }
}

/** Writes `text` as object `key` of the lake, bypassing bird (a teammate's hand, or a damaged disk). */
export async function putObject(remote: RemoteConfig, key: string, text: string | Buffer): Promise<void> {
  const backend: RemoteBackend = await createRemoteBackend(remote);
  const file = join(tempDir('bird-put-'), 'object');
  writeFileSync(file, text);
  try {
    await backend.put(key, file);
  } finally {
    backend.close();
  }
}

export async function removeObject(remote: RemoteConfig, key: string): Promise<void> {
  const backend = await createRemoteBackend(remote);
  try {
    await backend.remove(key);
  } finally {
    backend.close();
  }
}

export async function listKeys(remote: RemoteConfig, prefix: string): Promise<string[]> {
  const backend = await createRemoteBackend(remote);
  try {
    return (await backend.list(prefix)).map((o) => o.key);
  } finally {
    backend.close();
  }
}

/** Every file below `dir`. */
export function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}
