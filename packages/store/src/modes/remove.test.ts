// A removal takes a command of one series only: a row of another series with the same id (a
// teammate's, or a hostile copy of one of ours) stays, in both modes, and so does everything else.
import { describe, expect, it } from 'vitest';
import { birdLayout, ensureRoot, loadConfig, type StorageMode as ModeName } from '@bird/core';
import { initStore, openStore, refreshHistoryIndex, registerCachedRemote } from '../index.ts';
import { event, invocation, output, session, tempDir, writeCached, writeLocal, writeRowsAsFiles } from '../testing/fixtures.ts';
import { storageModeOf } from './open-storage-mode.ts';
import { join } from 'node:path';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { STALE, buildIndex, encodeSnapshot, historyRowOf, indexFiles, loadHistory, rowAt, staleName, type HistoryRow } from '@bird/history-index';
import { journalStored } from './journal-stored.ts';
import { DuckDBInstance } from '@duckdb/node-api';
import type { BirdLayout, TableName } from '@bird/core';

async function rows(root: string): Promise<string[]> {
  const conn = await openStore(birdLayout(root), { onWarning: () => undefined }).connect({ attachRemotes: false });
  try {
    return (await conn.query("SELECT _source || ' ' || client_id || ' ' || cmd FROM main.invocations ORDER BY 1")).rows.map((r) => String(r[0]));
  } finally {
    conn.close();
  }
}

/** `rows` stored as this machine's own, in `mode`. */
async function storeLocal(layout: BirdLayout, mode: ModeName, rows: Record<TableName, Record<string, unknown>[]>): Promise<void> {
  for (const table of ['invocations', 'sessions', 'outputs', 'events'] as const) {
    if (rows[table].length === 0) continue;
    if (mode === 'parquet') writeLocal(layout, table, rows[table] as never);
    else {
      const dir = tempDir('bird-remove-rows-');
      writeRowsAsFiles(dir, table, rows[table] as never);
      const db = await DuckDBInstance.create(layout.catalog);
      const c = await db.connect();
      await c.run(`INSERT INTO local.${table} BY NAME SELECT * EXCLUDE (date), CAST(date AS DATE) AS date FROM read_parquet('${dir}/*/*.parquet', hive_partitioning = true)`);
      c.closeSync();
      db.closeSync();
    }
  }
}

/** Every row the history index gives a reader, or why it cannot (then a reader would rebuild). */
function indexed(layout: BirdLayout): HistoryRow[] | string {
  const loaded = loadHistory(layout.historyIndex);
  if (!loaded.ok) return `${loaded.why}: ${loaded.detail}`;
  return Array.from({ length: loaded.index.size }, (_, r) => rowAt(loaded.index, r));
}

async function storedIds(layout: BirdLayout): Promise<string[]> {
  const conn = await openStore(layout, { onWarning: () => undefined }).connect({ attachRemotes: false });
  try {
    return (await conn.query('SELECT CAST(id AS VARCHAR) FROM main.invocations ORDER BY 1')).rows.map((r) => String(r[0]));
  } finally {
    conn.close();
  }
}

const indexedIds = (layout: BirdLayout) => {
  const rows = indexed(layout);
  return typeof rows === 'string' ? rows : rows.map((r) => r.id).sort();
};

describe.each<ModeName>(['parquet', 'duckdb'])('remove (%s mode)', (mode) => {
  it('a forget of a few commands folds them out of the history index: in no file of it, and the index still equals the store', async () => {
    const layout = birdLayout(join(tempDir('bird-remove-fold-'), 'bird'));
    ensureRoot(layout, mode);
    await initStore(layout, mode);
    const commands = [1, 2, 3, 4, 5].map((n) => invocation({ client_id: 'me@here', cmd: `cmd ${n} ${n === 2 ? 's3cr3t-old' : ''}`, session_id: `s${n % 2}` }));
    const outputs = commands.map((c) => output({ invocation_id: c.id, storage_ref: c.cmd }));
    await storeLocal(layout, mode, { invocations: commands, sessions: [], outputs, events: [] });
    expect(await refreshHistoryIndex(layout)).toBeNull();
    // One more, captured since the snapshot: in the journal only.
    const late = invocation({ client_id: 'me@here', cmd: 'late s3cr3t-new' });
    await storeLocal(layout, mode, { invocations: [late], sessions: [], outputs: [], events: [] });
    expect(journalStored(layout, [late as never])).toBeUndefined();
    const files = indexFiles(layout.historyIndex);
    const holding = (text: string) => readdirSync(files.dir).filter((n) => readFileSync(join(files.dir, n)).includes(text));
    expect(holding('s3cr3t').sort()).toEqual(['journal.jsonl', 'snapshot.bhi']);

    const result = await storageModeOf(layout, loadConfig(layout)).remove([{ id: commands[1]!.id, series: 'me@here' }, { id: late.id, series: 'me@here' }]);
    expect(result.rows).toMatchObject({ invocations: 2, outputs: 1 });
    expect(holding('s3cr3t')).toEqual([]);
    expect(readdirSync(files.dir).filter((n) => STALE.test(n))).toEqual([]);
    expect(indexedIds(layout)).toEqual(await storedIds(layout)); // no reader has to rebuild first
    expect(indexedIds(layout)).toHaveLength(4);
    // Every column as a fresh rebuild from the store gives it.
    const folded = indexed(layout);
    expect(await refreshHistoryIndex(layout)).toBeNull();
    expect(indexed(layout)).toEqual(folded);
  });

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
    expect(await refreshHistoryIndex(layout)).toBeNull();
    const result = await modeOf.remove([{ id: mine.id, series: 'me@here' }]);
    expect(result.rows).toMatchObject({ invocations: 1, sessions: 1 });
    expect(await rows(layout.root)).toEqual(['local me@here keep', 'team bob@b same id, their series']);
    // A removal line would take both rows of that id: the index is rebuilt instead, and keeps theirs.
    expect(indexedIds(layout)).toEqual(await storedIds(layout));
    const conn = await openStore(layout, { onWarning: () => undefined }).connect({ attachRemotes: false });
    try {
      expect((await conn.query('SELECT session_id FROM local.sessions ORDER BY 1')).rows).toEqual([['s-other']]);
    } finally {
      conn.close();
    }
  });

  it('takes every command of a series before a cutoff, with their outputs, events and sessions left empty; no other series, nothing after', async () => {
    const layout = birdLayout(join(tempDir('bird-remove-range-'), 'bird'));
    ensureRoot(layout, mode);
    await initStore(layout, mode);
    const us = (iso: string) => BigInt(Date.parse(iso)) * 1000n;
    const day = (iso: string) => iso.slice(0, 10);
    const cmd = (client_id: string, cmd: string, at: string, session_id: string) => invocation({ client_id, cmd, session_id, timestamp: us(at), date: day(at) });
    const commands = [
      cmd('me@here', 'old day', '2024-06-01T10:00:00Z', 's-old'),
      cmd('me@here', 'cut day, before', '2024-06-02T08:00:00Z', 's-cut'),
      cmd('me@here', 'cut day, after', '2024-06-02T14:00:00Z', 's-cut'),
      cmd('me@here', 'later', '2024-06-03T10:00:00Z', 's-later'),
      cmd('bob@b', 'bob, old day', '2024-06-01T10:00:00Z', 's-bob'),
    ];
    const rows: Record<TableName, Record<string, unknown>[]> = {
      invocations: commands,
      sessions: [['s-old', 'me@here'], ['s-cut', 'me@here'], ['s-later', 'me@here'], ['s-bob', 'bob@b']].map(([session_id, client_id]) => session({ session_id, client_id, date: '2024-06-01' })),
      outputs: commands.map((c) => output({ invocation_id: c.id, date: c.date, storage_ref: c.cmd })),
      events: commands.map((c) => event({ invocation_id: c.id, date: c.date, message: c.cmd })),
    };
    await storeLocal(layout, mode, rows);
    const result = await storageModeOf(layout, loadConfig(layout)).remove([], [{ series: 'me@here', before: '2024-06-02T12:00:00.000Z' }]);
    expect(result.rows).toEqual({ invocations: 2, sessions: 1, outputs: 2, events: 2 });
    const conn = await openStore(layout, { onWarning: () => undefined }).connect({ attachRemotes: false });
    try {
      const kept = ['bob, old day', 'cut day, after', 'later'];
      expect((await conn.query('SELECT cmd FROM main.invocations ORDER BY 1')).rows.flat()).toEqual(kept);
      expect((await conn.query('SELECT storage_ref FROM main.outputs ORDER BY 1')).rows.flat()).toEqual(kept);
      expect((await conn.query('SELECT message FROM main.events ORDER BY 1')).rows.flat()).toEqual(kept);
      expect((await conn.query('SELECT session_id FROM main.sessions ORDER BY 1')).rows.flat()).toEqual(['s-bob', 's-cut', 's-later']);
    } finally {
      conn.close();
    }
    if (mode === 'parquet') {
      // A file whose every row went is deleted, not left empty for every reader to open.
      const left = readdirSync(join(layout.localData, 'outputs', 'date=2024-06-01'));
      expect(left).toHaveLength(1);
    }
  });

  it("takes nothing of another series' command named by id: not its outputs, not its events; a command already gone leaves its outputs to go", async () => {
    const layout = birdLayout(join(tempDir('bird-remove-outputs-'), 'bird'));
    ensureRoot(layout, mode);
    await initStore(layout, mode);
    const bobs = invocation({ client_id: 'bob@b', cmd: 'bob, kept', session_id: 's-bob' });
    // Outputs and an event whose command went in a removal cut short: nothing stored names it.
    const goneId = invocation({ client_id: 'me@here' }).id;
    await storeLocal(layout, mode, {
      invocations: [bobs],
      sessions: [session({ session_id: 's-bob', client_id: 'bob@b' })],
      outputs: [output({ invocation_id: bobs.id, storage_ref: 'bob, kept' }), output({ invocation_id: goneId, storage_ref: 'orphan' })],
      events: [event({ invocation_id: bobs.id, message: 'bob, kept' }), event({ invocation_id: goneId, message: 'orphan' })],
    });
    // A segment of me@here's series naming bob's command id (a hostile teammate's, or a mistake).
    const result = await storageModeOf(layout, loadConfig(layout)).remove([{ id: bobs.id, series: 'me@here' }, { id: goneId, series: 'me@here' }]);
    expect(result.rows).toEqual({ invocations: 0, sessions: 0, outputs: 1, events: 1 });
    const conn = await openStore(layout, { onWarning: () => undefined }).connect({ attachRemotes: false });
    try {
      expect((await conn.query('SELECT cmd FROM main.invocations')).rows.flat()).toEqual(['bob, kept']);
      expect((await conn.query('SELECT storage_ref FROM main.outputs')).rows.flat()).toEqual(['bob, kept']);
      expect((await conn.query('SELECT message FROM main.events')).rows.flat()).toEqual(['bob, kept']);
    } finally {
      conn.close();
    }
  });

  it('a removal that finds nothing leaves the history index as it is', async () => {
    const layout = birdLayout(join(tempDir('bird-remove-nothing-'), 'bird'));
    ensureRoot(layout, mode);
    await initStore(layout, mode);
    const kept = invocation({ client_id: 'me@here', cmd: 'kept' });
    await storeLocal(layout, mode, { invocations: [kept], sessions: [], outputs: [], events: [] });
    await refreshHistoryIndex(layout);
    const built = statSync(join(layout.historyIndex, readdirSync(layout.historyIndex).sort()[0]!)).mtimeMs;
    const files = readdirSync(layout.historyIndex).sort();
    const result = await storageModeOf(layout, loadConfig(layout)).remove([{ id: invocation({}).id, series: 'me@here' }]);
    expect(result).toEqual({ rows: { invocations: 0, sessions: 0, outputs: 0, events: 0 }, files: 0 });
    expect(readdirSync(layout.historyIndex).sort()).toEqual(files);
    expect(statSync(join(layout.historyIndex, files[0]!)).mtimeMs).toBe(built);
    expect(loadHistory(layout.historyIndex).ok).toBe(true);
  });

  it('run again after a kill that left the index stale, a removal that finds nothing rebuilds it: the text leaves the index', async () => {
    const layout = birdLayout(join(tempDir('bird-remove-rerun-'), 'bird'));
    ensureRoot(layout, mode);
    await initStore(layout, mode);
    const secret = invocation({ client_id: 'me@here', cmd: 'export TOKEN=s3cr3t-left' });
    await storeLocal(layout, mode, { invocations: [secret, invocation({ client_id: 'me@here', cmd: 'kept' })], sessions: [], outputs: [], events: [] });
    expect(await refreshHistoryIndex(layout)).toBeNull();
    const modeOf = storageModeOf(layout, loadConfig(layout));
    await modeOf.remove([{ id: secret.id, series: 'me@here' }]);
    const holding = () => readdirSync(layout.historyIndex).filter((n) => readFileSync(join(layout.historyIndex, n)).includes('s3cr3t-left'));
    // Run again (by id, or with nothing to remove, as `bird redact` does), after what a removal
    // killed after its rows went and before the index followed leaves: the rows gone from the
    // store, the index still holding them, and the marker of a process now dead (unreadable here).
    for (const again of [() => modeOf.remove([{ id: secret.id, series: 'me@here' }]), () => modeOf.remove([])]) {
      writeFileSync(join(layout.historyIndex, staleName('0190f000-0000-7000-8000-0000000000ef')), '');
      writeFileSync(indexFiles(layout.historyIndex).snapshot, encodeSnapshot(buildIndex([historyRowOf(secret as never)]), 1, 'x'));
      expect(holding()).toEqual(['snapshot.bhi']);
      expect((await again()).rows.invocations).toBe(0);
      expect(holding()).toEqual([]);
      expect(indexedIds(layout)).toEqual(await storedIds(layout));
    }
  });
});
