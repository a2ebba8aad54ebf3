import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { birdLayout, columnDefinitions, ensureRoot, EVENTS, INVOCATIONS, OUTPUTS, SESSIONS, type BirdLayout, type InvocationRow, type SessionRow } from '@bird/core';
import { DuckDbRecordWriter } from './duckdb-record-writer.ts';

let root: string;
let layout: BirdLayout;

/** The local tables as duckdb mode lays them out: one CREATE TABLE per definition in core. */
async function createLocalTables(): Promise<void> {
  const db = await DuckDBInstance.create(layout.catalog);
  const c = await db.connect();
  await c.run('CREATE SCHEMA IF NOT EXISTS local');
  for (const t of [INVOCATIONS, SESSIONS, OUTPUTS, EVENTS]) await c.run(`CREATE TABLE IF NOT EXISTS local.${t.name} (${columnDefinitions(t)})`);
  c.closeSync();
  db.closeSync();
}

async function readAll(sql: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(layout.catalog, { access_mode: 'READ_ONLY' });
  const c = await db.connect();
  try {
    return (await c.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

const invocation = (id: string, cmd: string): InvocationRow => ({
  id,
  session_id: 'sess-1',
  timestamp: 1764201234567891n,
  duration_ms: 12,
  cwd: '/tmp/x y',
  cmd,
  executable: 'echo',
  exit_code: 7,
  client_id: 'me@host',
  hostname: 'host',
  shell: 'zsh',
  date: '2025-11-26',
});
const session: SessionRow = {
  session_id: 'sess-1', client_id: 'me@host', invoker: 'zsh', invoker_pid: 4242,
  registered_at: 1764201234567891n, cwd: '/tmp', date: '2025-11-26',
};

/** Another process holding bird.duckdb read-write, as a long `bird init` or writer would. */
function holdCatalog(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', `
    const { DuckDBInstance } = require('@duckdb/node-api');
    DuckDBInstance.create(${JSON.stringify(layout.catalog)}).then(() => { console.log('held'); setInterval(() => {}, 1000); });
  `], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => child.stdout!.once('data', () => resolve(child)));
}

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'bird-wdb-'));
  layout = birdLayout(root);
  ensureRoot(layout, 'duckdb');
  await createLocalTables();
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('DuckDbRecordWriter', () => {
  test('inserts rows with exact types, and a retried write of the same id adds nothing', async () => {
    const writer = await DuckDbRecordWriter.open(layout);
    await writer.registerSession(session);
    await writer.registerSession(session);
    await writer.writeInvocation(invocation('0192-a', "it's \"quoted\"\nnext line ünï 🐦"));
    await writer.writeInvocation(invocation('0192-a', "it's \"quoted\"\nnext line ünï 🐦"));
    await writer.close();

    const rows = await readAll(`SELECT cmd, exit_code, duration_ms, cwd, epoch_us("timestamp") AS us, typeof("timestamp") AS ts_type, "date"::VARCHAR AS d FROM local.invocations`);
    expect(rows).toEqual([{ cmd: "it's \"quoted\"\nnext line ünï 🐦", exit_code: 7, duration_ms: '12', cwd: '/tmp/x y', us: '1764201234567891', ts_type: 'TIMESTAMP WITH TIME ZONE', d: '2025-11-26' }]);
    expect(await readAll('SELECT invoker_pid FROM local.sessions')).toEqual([{ invoker_pid: 4242 }]);
  });

  test('spills to Parquet while another process holds the catalog, and the next writer ingests exactly once', async () => {
    const holder = await holdCatalog();
    try {
      const blocked = await DuckDbRecordWriter.open(layout, { lockWaitMs: 300 });
      expect(blocked.spilling).toBe(true);
      await blocked.writeInvocation(invocation('0192-b', 'make test'));
      await blocked.close();
    } finally {
      holder.kill('SIGKILL');
      await new Promise((r) => holder.once('exit', r));
    }
    const spillDir = join(layout.dbDir, 'spill', 'invocations');
    const [spilled] = readdirSync(spillDir);
    // Keep a copy to replay a crash between the insert and the delete of the spill file.
    copyFileSync(join(spillDir, spilled!), join(root, 'replay.parquet'));

    await (await DuckDbRecordWriter.open(layout)).close();
    expect(readdirSync(spillDir)).toEqual([]);
    copyFileSync(join(root, 'replay.parquet'), join(spillDir, spilled!));
    await (await DuckDbRecordWriter.open(layout)).close();

    expect(await readAll('SELECT id, cmd FROM local.invocations')).toEqual([{ id: '0192-b', cmd: 'make test' }]);
  });

  test('events spilled while the catalog is held land after their command, once', async () => {
    const holder = await holdCatalog();
    const event = { id: 'ev-1', invocation_id: '0192-c', severity: 'error', ref_file: 'a.c', ref_line: 4, ref_column: 10, message: 'boom', code: null, kind: 'diagnostic', test_name: null, status: null, duration_ms: null, date: '2025-11-26' };
    try {
      const blocked = await DuckDbRecordWriter.open(layout, { lockWaitMs: 300 });
      await blocked.writeInvocation(invocation('0192-c', 'make'));
      await blocked.writeEvent(event);
      await blocked.close();
    } finally {
      holder.kill('SIGKILL');
      await new Promise((r) => holder.once('exit', r));
    }
    expect(readdirSync(join(layout.dbDir, 'spill', 'events'))).toHaveLength(1);
    await (await DuckDbRecordWriter.open(layout)).close();
    await (await DuckDbRecordWriter.open(layout)).close();
    expect(await readAll('SELECT id, invocation_id, kind, ref_line FROM local.events')).toEqual([{ id: 'ev-1', invocation_id: '0192-c', kind: 'diagnostic', ref_line: 4 }]);
    expect(await readAll('SELECT id FROM local.invocations')).toEqual([{ id: '0192-c' }]);
  });

  test('a spill file DuckDB cannot read is set aside in db/quarantine, and the good ones still land', async () => {
    const holder = await holdCatalog();
    try {
      const blocked = await DuckDbRecordWriter.open(layout, { lockWaitMs: 300 });
      await blocked.writeInvocation(invocation('0192-good', 'make good'));
      await blocked.writeInvocation(invocation('0192-bad', 'make bad'));
      await blocked.close();
    } finally {
      holder.kill('SIGKILL');
      await new Promise((r) => holder.once('exit', r));
    }
    const spillDir = join(layout.dbDir, 'spill', 'invocations');
    const files = readdirSync(spillDir);
    expect(files).toHaveLength(2);
    // Cut one short, as a disk error might.
    const bad = files.find((f) => readFileSync(join(spillDir, f)).includes('make bad'))!;
    writeFileSync(join(spillDir, bad), readFileSync(join(spillDir, bad)).subarray(0, 40));

    await (await DuckDbRecordWriter.open(layout)).close();
    expect(await readAll('SELECT cmd FROM local.invocations')).toEqual([{ cmd: 'make good' }]);
    expect(readdirSync(spillDir)).toEqual([]);
    expect(readdirSync(join(layout.quarantine, 'spill', 'invocations'))).toEqual([bad]);
  });

  test('a catalog without local tables is one clear error naming the fix', async () => {
    rmSync(layout.catalog);
    const db = await DuckDBInstance.create(layout.catalog);
    db.closeSync();
    const writer = await DuckDbRecordWriter.open(layout);
    await expect(writer.writeInvocation(invocation('x', 'ls'))).rejects.toThrow(/bird init --mode duckdb/);
    await writer.close();
  });
});
