// A teammate who writes into a lake by hand, as any member of a team can: into their own series
// (`client=<them>`), bypassing bird, with whatever bytes they like. Batches are written by
// DuckDB from a SELECT, so a test can make any row, type or encoding it needs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { quoteLiteral, type RemoteConfig } from '@bird/core';
import { tempDir } from '../../packages/store/src/testing/fixtures.ts';
import { putObject } from './sync-clients.ts';

/** A SELECT giving one good invocations row of client `client` (override columns by name). */
export function invocationRow(client: string, over: Record<string, string> = {}): string {
  const cols: Record<string, string> = {
    id: 'uuid()::VARCHAR',
    session_id: `'s-hostile'`,
    timestamp: `TIMESTAMPTZ '2024-06-01 10:00:00+00'`,
    duration_ms: '1',
    cwd: `'/home/them'`,
    cmd: `'echo hello'`,
    executable: `'echo'`,
    exit_code: '0',
    client_id: quoteLiteral(client),
    hostname: `'their-host'`,
    shell: `'zsh'`,
    ...over,
  };
  return `SELECT ${Object.entries(cols)
    .map(([k, v]) => `${v} AS "${k}"`)
    .join(', ')}`;
}

/** Writes the rows of `select` as a Parquet file at `key` of the lake. */
export async function putBatch(remote: RemoteConfig, key: string, select: string): Promise<void> {
  const file = join(tempDir('bird-hostile-'), 'batch.parquet');
  mkdirSync(dirname(file), { recursive: true });
  const db = await DuckDBInstance.create(':memory:');
  try {
    const c = await db.connect();
    await c.run(`COPY (${select}) TO ${quoteLiteral(file)} (FORMAT parquet)`);
    c.closeSync();
  } finally {
    db.closeSync();
  }
  const { readFileSync } = await import('node:fs');
  await putObject(remote, key, readFileSync(file));
}

/**
 * Publishes a series' index as bird would, but by hand: segment `seq` listing `batches` (each an
 * object, so a test can lie in any field), and the head naming it.
 */
export async function putIndex(remote: RemoteConfig, client: string, seq: number, batches: readonly Record<string, unknown>[], head: Record<string, unknown> = {}): Promise<void> {
  await putLakeFormat(remote);
  await putSegment(remote, client, seq, { batches });
  await putObject(remote, `_bird/heads/${client}.json`, JSON.stringify({ version: 1, client, seq, ...head }));
}

/** Writes the lake's format object, as a first push does. */
export async function putLakeFormat(remote: RemoteConfig): Promise<void> {
  await putObject(remote, '_bird/lake.json', JSON.stringify({ format: 'bird-lake', version: 1 }));
}

/** Writes segment `seq` of `client`'s log by hand, with any fields (`batches`, `withdrawn`, `checkpoint`, …). */
export async function putSegment(remote: RemoteConfig, client: string, seq: number, doc: Record<string, unknown>): Promise<void> {
  await putObject(remote, segmentObjectKey(client, seq), JSON.stringify({ version: 1, client, seq, ...doc }));
}

/** Writes `client`'s head by hand, naming segment `seq` and, if given, its checkpoint. */
export async function putHead(remote: RemoteConfig, client: string, seq: number, checkpoint?: number): Promise<void> {
  await putObject(remote, `_bird/heads/${client}.json`, JSON.stringify({ version: 1, client, seq, ...(checkpoint !== undefined ? { checkpoint } : {}) }));
}

/** The lake key of segment `seq` of `client`'s log. */
export const segmentObjectKey = (client: string, seq: number) => `_bird/log/${client}/${String(seq).padStart(12, '0')}.json`;

/** A segment's entry for an invocations batch of 2024-06-01 (`more`: any other field, true or not). */
export const batchEntry = (key: string, rows: number, more: Record<string, unknown> = {}) => ({ key, table: 'invocations', date: '2024-06-01', rows, bytes: 1, ...more });

/** A key of `client`'s series. */
export const seriesKey = (client: string, name: string, date = '2024-06-01', table = 'invocations') => `${table}/client=${client}/date=${date}/${name}.parquet`;

/** Writes `text` to a file under `dir` (a sentinel that must not change, or appear). */
export function sentinel(dir: string, text = 'untouched'): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'sentinel.txt');
  writeFileSync(path, text);
  return path;
}
