/** Test data for the read layer: real Parquet files in real folders, written the way each producer writes them. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  TABLES,
  birdLayout,
  defaultConfig,
  uuidv7,
  saveConfig,
  type BirdLayout,
  type EventRow,
  type InvocationRow,
  type OutputRow,
  type RemoteConfig,
  type SessionRow,
  type TableName,
} from '@bird/core';
import { lakeKey } from '@bird/remote';
import { encodeParquet } from '@bird/writer-parquet';
import { cachedPartitionDir } from '../layout.ts';

const newId = () => uuidv7(Date.now());

export function tempLayout(): BirdLayout {
  return birdLayout(join(mkdtempSync(join(tmpdir(), 'bird-store-')), 'root'));
}

export function tempDir(prefix = 'bird-lake-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

const T0 = 1_717_243_200_000_000n; // 2024-06-01T12:00:00Z in µs

export function invocation(over: Partial<InvocationRow> = {}): InvocationRow {
  return {
    id: newId(),
    session_id: 's-1',
    timestamp: T0 + 123_456n,
    duration_ms: 12,
    cwd: '/home/u/project',
    cmd: 'make test',
    executable: 'make',
    exit_code: 0,
    client_id: 'u@host',
    hostname: 'host',
    shell: 'zsh',
    date: '2024-06-01',
    ...over,
  };
}

export const session = (over: Partial<SessionRow> = {}): SessionRow => ({
  session_id: newId(), client_id: 'u@host', invoker: 'zsh', invoker_pid: 42, registered_at: T0, cwd: '/home/u', date: '2024-06-01', ...over,
});
export const output = (over: Partial<OutputRow> = {}): OutputRow => ({
  id: newId(), invocation_id: 'i', stream: 'stdout', content_hash: 'h', byte_length: 10, storage_type: 'inline', storage_ref: 'x', date: '2024-06-01', ...over,
});
export const event = (over: Partial<EventRow> = {}): EventRow => ({
  id: newId(), invocation_id: 'i', severity: 'error', ref_file: 'a.c', ref_line: 1, ref_column: 2, message: 'boom', code: 'E1', kind: 'diagnostic', test_name: null, status: null, duration_ms: null, date: '2024-06-01', ...over,
});

type AnyRow = Record<string, unknown> & { date: string };

/** One file per row under `<tableDir>/date=…/`, as writer-parquet and pulls lay them out. */
export function writeRowsAsFiles(tableDir: string, table: TableName, rows: readonly AnyRow[]): void {
  for (const row of rows) {
    const dir = join(tableDir, `date=${row.date}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${newId()}.parquet`), encodeParquet(TABLES[table], [row]));
  }
}

export function writeLocal(layout: BirdLayout, table: TableName, rows: readonly AnyRow[]): void {
  writeRowsAsFiles(join(layout.localData, table), table, rows);
}

export function writeCached(layout: BirdLayout, remote: string, table: TableName, rows: readonly AnyRow[]): void {
  for (const row of rows) {
    const dir = cachedPartitionDir(layout, remote, table, row.date);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${newId()}.parquet`), encodeParquet(TABLES[table], [row]));
  }
}

/** One batch file in a remote lake: `<root>/<table>/client=<id>/date=<d>/<batch>.parquet`. */
export function writeLake(root: string, table: TableName, clientId: string, date: string, rows: readonly AnyRow[]): string {
  const path = join(root, lakeKey({ table, client: clientId, date, batch: newId() }));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodeParquet(TABLES[table], rows));
  return path;
}

export function fileRemote(name: string, uri: string, over: Partial<RemoteConfig> = {}): RemoteConfig {
  return { name, type: 'file', uri, mode: 'read_write', auto_attach: true, ...over };
}

export function writeConfig(layout: BirdLayout, remotes: RemoteConfig[], mode: 'parquet' | 'duckdb' = 'parquet'): void {
  saveConfig(layout, { ...defaultConfig(mode), remotes });
}

/** Collects warnings instead of printing them. */
export function warningSink(): { warnings: string[]; onWarning: (m: string) => void } {
  const warnings: string[] = [];
  return { warnings, onWarning: (m) => warnings.push(m) };
}
