import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { birdLayout } from '@bird/core';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { ConnectionOptions, SCHEMA_VERSION, StoreBusyError, StoreModeError, checkRemoteName, initStore, openStore, registerCachedRemote, runMigration } from './index.ts';
import { createV1Catalog } from './testing/legacy-catalog.ts';
import { fileRemote, invocation, tempDir, tempLayout, writeConfig, writeLocal } from './testing/fixtures.ts';

const HOLDER = fileURLToPath(new URL('./testing/hold-catalog.mjs', import.meta.url));

/** Another process holding the catalog; `exited` is made at spawn so an early exit is not missed. */
async function holdCatalog(catalog: string, access: 'read_only' | 'read_write', hold: string): Promise<{ child: ChildProcess; exited: Promise<unknown> }> {
  const child = spawn(process.execPath, [HOLDER, catalog, access, hold], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  expect(chunk.toString()).toBe('ready\n');
  return { child, exited };
}

const quiet = { onWarning: () => {} };

describe('bird init', () => {
  test('is idempotent and keeps data', async () => {
    const layout = tempLayout();
    expect(await initStore(layout, 'duckdb')).toEqual({ mode: 'duckdb', created: true, changes: [] });
    let conn = await openStore(layout, quiet).connect();
    conn.close();
    // Insert a row the way writer-duckdb does, then init again.
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(layout.catalog);
    const c = await db.connect();
    await c.run(`INSERT INTO local.invocations (id, session_id, "timestamp", cmd, client_id, "date") VALUES ('i1', 's', now(), 'ls', 'c', current_date)`);
    c.closeSync();
    db.closeSync();
    expect(await initStore(layout)).toEqual({ mode: 'duckdb', created: false, changes: [] });
    expect(await initStore(layout, 'duckdb')).toEqual({ mode: 'duckdb', created: false, changes: [] });
    conn = await openStore(layout, quiet).connect();
    expect((await conn.query("SELECT cmd, _source FROM main.invocations")).rows).toEqual([['ls', 'local']]);
    conn.close();
  });

  test.each(['with*star', 'with?mark', 'with[bracket]', 'with{brace}'])('refuses a root whose path holds glob characters (%s) before writing anything', async (name) => {
    const base = tempLayout().root;
    const layout = birdLayout(join(base, name));
    await expect(initStore(layout, 'parquet')).rejects.toThrow(/contains glob characters .* point BIRD_ROOT at a plain path\.$/);
    expect(existsSync(layout.root)).toBe(false);
    expect(() => openStore(layout, quiet)).toThrow(/contains glob characters/);
  });

  test('in another mode than the existing store is one clear sentence naming that mode', async () => {
    const layout = tempLayout();
    await initStore(layout, 'parquet');
    const error = await initStore(layout, 'duckdb').catch((e: Error) => e);
    expect(error).toBeInstanceOf(StoreModeError);
    expect((error as Error).message).toBe(`the BIRD store at ${layout.root} already exists in parquet mode; run \`bird init --mode parquet\` (or leave out --mode) to keep using it.`);
  });

  test('views bind with zero files, and see files written later without a rebuild', async () => {
    const layout = tempLayout();
    await initStore(layout);
    const store = openStore(layout, quiet);
    let conn = await store.connect();
    expect((await conn.query('SELECT count(*) FROM main.invocations')).rows).toEqual([[0]]);
    conn.close();
    writeLocal(layout, 'invocations', [invocation(), invocation({ date: '2024-06-03' })]);
    conn = await store.connect();
    expect((await conn.query('SELECT count(*) FROM main.invocations')).rows).toEqual([[2]]);
    expect((await conn.query("SELECT count(*) FROM main.invocations WHERE date = DATE '2024-06-03'")).rows).toEqual([[1]]);
    conn.close();
  });

  test('a store is created on first connect when only the root exists', async () => {
    const layout = tempLayout();
    const conn = await openStore(layout, quiet).connect();
    expect(existsSync(layout.catalog)).toBe(true);
    conn.close();
  });
});

describe('remote names', () => {
  const bad = ['', "te'am", 'te"am', 'a;DROP', 'my team', '..', 'a..b', '../x', 'x'.repeat(200), 'placeholder', '1abc', 'a/b'];
  test.each(bad)('%j is rejected before it reaches SQL', async (name) => {
    expect(() => checkRemoteName(name)).toThrow(/remote name .* (is not allowed|is reserved)/);
    await expect(registerCachedRemote(tempLayout(), name)).rejects.toThrow(/remote name/);
  });

  test('my-team becomes cached_my_team and remote_my_team', async () => {
    const layout = tempLayout();
    await initStore(layout);
    await registerCachedRemote(layout, 'my-team');
    writeConfig(layout, [fileRemote('my-team', layout.dataDir)]);
    const conn = await openStore(layout, quiet).connect();
    const names = await conn.query("SELECT schema_name FROM duckdb_schemas() WHERE schema_name LIKE '%my_team' UNION ALL SELECT database_name FROM duckdb_databases() WHERE database_name LIKE '%my_team' ORDER BY 1");
    expect(names.rows.map((r) => r[0])).toEqual(['cached_my_team', 'remote_my_team']);
    conn.close();
  });

  test('a config remote with a bad name is skipped with a warning', async () => {
    const layout = tempLayout();
    await initStore(layout);
    writeConfig(layout, [fileRemote('ok', layout.dataDir)]);
    const store = openStore(layout, quiet);
    // Bypass config validation, as a hand-edited object would.
    (store.config.remotes as { name: string }[]).push({ ...fileRemote("x'; DROP SCHEMA main; --", '/tmp') });
    const conn2 = await store.connect();
    expect(conn2.warnings.join(' ')).toMatch(/not attached: remote name/);
    expect((await conn2.query('SELECT count(*) FROM main.invocations')).rows).toEqual([[0]]);
    conn2.close();
  });
});

describe('migration', () => {
  test('a version-3 catalog (no root recorded) is upgraded, and bird init says so once', async () => {
    const layout = tempLayout();
    await initStore(layout, 'parquet');
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(layout.catalog);
    const c = await db.connect();
    await c.run("DELETE FROM bird_meta.catalog WHERE key = 'root'");
    await c.run("UPDATE bird_meta.catalog SET value = '3' WHERE key = 'schema_version'");
    c.closeSync();
    db.closeSync();
    expect(await initStore(layout)).toEqual({ mode: 'parquet', created: false, changes: [`upgraded its catalog from version 3 to ${SCHEMA_VERSION}`] });
    expect(await initStore(layout)).toEqual({ mode: 'parquet', created: false, changes: [] });
  });

  test.each(['duckdb', 'parquet'] as const)('a version-1 %s catalog upgrades in place without losing rows', async (mode) => {
    const layout = tempLayout();
    if (mode === 'parquet') writeLocal(layout, 'invocations', [invocation({ cmd: 'old' })]);
    if (mode === 'parquet') for (const t of ['sessions', 'outputs', 'events'] as const) writeLocal(layout, t, []);
    if (mode === 'parquet') {
      // v1 parquet views needed a file per table to bind at all.
      const { writeRowsAsFiles, session, output, event } = await import('./testing/fixtures.ts');
      writeRowsAsFiles(`${layout.localData}/sessions`, 'sessions', [session()]);
      writeRowsAsFiles(`${layout.localData}/outputs`, 'outputs', [output()]);
      writeRowsAsFiles(`${layout.localData}/events`, 'events', [event()]);
    }
    await createV1Catalog(layout, mode);
    expect(await runMigration(layout)).toEqual({ fromVersion: 1, toVersion: SCHEMA_VERSION, migrated: true });
    expect(await runMigration(layout)).toEqual({ fromVersion: SCHEMA_VERSION, toVersion: SCHEMA_VERSION, migrated: false });
    const conn = await openStore(layout, quiet).connect(ConnectionOptions.minimal());
    if (mode === 'duckdb') {
      expect((await conn.query('SELECT id, message, ref_column, code, kind, status, _source FROM main.events')).rows).toEqual([['e1', 'old event', null, null, null, null, 'local']]);
      expect((await conn.query('SELECT cmd FROM main.invocations')).rows).toEqual([['ls']]);
    } else {
      expect((await conn.query('SELECT cmd, _source FROM main.invocations')).rows).toEqual([['old', 'local']]);
    }
    expect((await conn.query('SELECT count(*) FROM caches.events')).rows).toEqual([[0]]);
    conn.close();
  });

  test('events files from before kind, test_name, status and duration_ms still read, with them NULL', async () => {
    const { EVENTS, TABLES } = await import('@bird/core');
    const { encodeParquet } = await import('@bird/writer-parquet');
    const { event, writeCached } = await import('./testing/fixtures.ts');
    const { writeFileSync, mkdirSync } = await import('node:fs');
    const { PLACEHOLDER_FILE, PLACEHOLDER_PARTITION } = await import('./layout.ts');
    const before = { ...EVENTS, columns: EVENTS.columns.filter((c) => !('addedIn' in c)) };
    const layout = tempLayout();
    await initStore(layout, 'parquet');
    // As a store made before: its placeholder and its one events file have the old columns only.
    const dir = join(layout.localData, 'events');
    writeFileSync(join(dir, PLACEHOLDER_PARTITION, PLACEHOLDER_FILE), encodeParquet(before, []));
    mkdirSync(join(dir, 'date=2024-06-01'), { recursive: true });
    const { kind: _k, test_name: _t, status: _s, duration_ms: _d, ...old } = event({ id: 'old', message: 'old event' });
    writeFileSync(join(dir, 'date=2024-06-01', 'old.parquet'), encodeParquet(before, [old]));
    const read = async () => {
      const conn = await openStore(layout, quiet).connect(ConnectionOptions.minimal());
      try {
        return (await conn.query('SELECT id, message, kind, test_name, status, duration_ms FROM main.events ORDER BY id')).rows;
      } finally {
        conn.close();
      }
    };
    expect(await read()).toEqual([['old', 'old event', null, null, null, null]]);
    // Beside a new one, from a remote's cache too.
    writeLocal(layout, 'events', [event({ id: 'new', kind: 'test', test_name: 't', status: 'failed', duration_ms: 5 })]);
    writeCached(layout, 'alpha', 'events', [event({ id: 'pulled', kind: 'diagnostic' })]);
    expect(TABLES.events).toBe(EVENTS);
    await registerCachedRemote(layout, 'alpha', quiet);
    expect(await read()).toEqual([
      ['new', 'boom', 'test', 't', 'failed', 5],
      ['old', 'old event', null, null, null, null],
      ['pulled', 'boom', 'diagnostic', null, null, null],
    ]);
  });

  test('a full connection migrates an old catalog by itself', async () => {
    const layout = tempLayout();
    await createV1Catalog(layout, 'duckdb');
    const conn = await openStore(layout, quiet).connect();
    expect((await conn.query("SELECT value FROM bird_meta.catalog WHERE key = 'schema_version'")).rows).toEqual([[String(SCHEMA_VERSION)]]);
    conn.close();
  });
});

describe('catalog concurrency', () => {
  test('a reader waits while another process holds the catalog, and gives up after the bounded wait', async () => {
    const layout = tempLayout();
    await initStore(layout);
    const holder = await holdCatalog(layout.catalog, 'read_write', '1500');
    const started = Date.now();
    const error = await openStore(layout, { ...quiet, lockTimeoutMs: 200 }).connect().catch((e: Error) => e);
    expect(error).toBeInstanceOf(StoreBusyError);
    expect((error as Error).message).toMatch(/is held by another bird process .* try again\.$/);
    const conn = await openStore(layout, { ...quiet, lockTimeoutMs: 20_000 }).connect();
    expect(Date.now() - started).toBeGreaterThan(0);
    expect((await conn.query('SELECT count(*) FROM main.invocations')).rows).toEqual([[0]]);
    conn.close();
    await holder.exited;
  });

  test('a catalog held past the wait under a root whose path holds DuckDB\'s words for damage is busy, and is not moved aside', async () => {
    const layout = birdLayout(join(tempDir(), 'checksum replaying WAL', 'root'));
    await initStore(layout);
    const holder = await holdCatalog(layout.catalog, 'read_write', 'forever');
    const warnings: string[] = [];
    try {
      const error = await openStore(layout, { onWarning: (w) => warnings.push(w), lockTimeoutMs: 200 }).connect().catch((e: Error) => e);
      expect(error).toBeInstanceOf(StoreBusyError);
      await expect(initStore(layout, undefined, { onWarning: (w) => warnings.push(w), lockTimeoutMs: 200 })).rejects.toBeInstanceOf(StoreBusyError);
      expect(warnings).toEqual([]);
      expect(existsSync(layout.quarantine)).toBe(false);
    } finally {
      holder.child.kill('SIGKILL');
      await holder.exited;
    }
  });

  test('the writer waits for a reader in another process', async () => {
    const layout = tempLayout();
    await initStore(layout);
    const holder = await holdCatalog(layout.catalog, 'read_only', '800');
    await expect(registerCachedRemote(layout, 'late', { lockTimeoutMs: 20_000 })).resolves.toBeUndefined();
    await holder.exited;
  });

  test('a reader killed with -9 mid-query never corrupts the catalog', async () => {
    const layout = tempLayout();
    await initStore(layout);
    writeLocal(layout, 'invocations', Array.from({ length: 20 }, () => invocation()));
    for (let round = 0; round < 3; round++) {
      const reader = await holdCatalog(layout.catalog, 'read_only', 'forever');
      await new Promise((r) => setTimeout(r, 100 * round));
      reader.child.kill('SIGKILL');
      await reader.exited;
      await initStore(layout); // the writer can take it, and repair is a no-op
      const conn = await openStore(layout, quiet).connect();
      expect((await conn.query('SELECT count(*) FROM main.invocations')).rows).toEqual([[20]]);
      conn.close();
    }
  });
});
