// The history index against the real store: rebuilt from DuckDB over real Parquet files
// (local and pulled), merged with the journal, and never missing a stored row.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appendToJournal, buildIndex, encodeSnapshot, historyRowOf, indexFiles, loadHistory, markIndexStale, orderedIndex, readJournal, rowAt, staleName } from '@bird/history-index';
import { holderStamp } from '@bird/core';
import { historyRowOfValues, historyRowsSql } from './history-index-read.ts';
import { foldJournalIntoIndex, foldOrRebuildHistoryIndex, foldRemovalsIntoIndex } from './history-index-rebuild.ts';
import { ConnectionOptions, initStore, openStore, rebuildHistoryIndex, refreshHistoryIndex, registerCachedRemote, type BirdConnection } from './index.ts';
import { invocation, tempLayout, writeCached, writeLocal } from './testing/fixtures.ts';

const open: BirdConnection[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});

async function storeWith(local: number, cached: number) {
  const layout = tempLayout();
  await initStore(layout);
  const localRows = Array.from({ length: local }, (_, i) => invocation({ cmd: `local ${i}`, timestamp: 1_717_243_200_000_000n + BigInt(i) * 1_000_000n }));
  const cachedRows = Array.from({ length: cached }, (_, i) => invocation({ cmd: `team ${i}`, client_id: 'bo@elsewhere', hostname: 'elsewhere', timestamp: 1_717_243_200_500_000n + BigInt(i) * 1_000_000n }));
  writeLocal(layout, 'invocations', localRows);
  if (cached > 0) {
    await registerCachedRemote(layout, 'team');
    writeCached(layout, 'team', 'invocations', cachedRows);
  }
  return { layout, localRows, cachedRows };
}

async function storedIds(layout: ReturnType<typeof tempLayout>): Promise<string[]> {
  const c = await openStore(layout).connect(ConnectionOptions.minimal());
  open.push(c);
  return (await c.query('SELECT CAST(id AS VARCHAR) FROM main.invocations')).rows.map((r) => String(r[0])).sort();
}

function indexed(layout: ReturnType<typeof tempLayout>) {
  const loaded = loadHistory(layout.historyIndex);
  if (!loaded.ok) throw new Error(`index not readable: ${loaded.why}`);
  return Array.from({ length: loaded.index.size }, (_, r) => rowAt(loaded.index, r));
}

describe('rebuildHistoryIndex', () => {
  it('leaves no half-written snapshot beside the index: what a rebuild killed mid-write left there goes with the next', async () => {
    const { layout } = await storeWith(2, 0);
    expect(await refreshHistoryIndex(layout)).toBeNull();
    // A snapshot an older bird was writing when it was killed (its pid gone), holding a command's text.
    const dead = Number(String(spawnSync('sh', ['-c', 'echo $$']).stdout).trim());
    const left = join(layout.historyIndex, `.snapshot.bhi.${dead}.abc.0.bird-partial`);
    writeFileSync(left, 'export TOKEN=hunter2');
    markIndexStale(layout.historyIndex);
    expect(await refreshHistoryIndex(layout)).toBeNull();
    expect(existsSync(left)).toBe(false);
    expect(readdirSync(layout.historyIndex).filter((n) => n.endsWith('.bird-partial'))).toEqual([]);
  });

  it('holds every row of main.invocations, local and pulled, each tagged with its source', async () => {
    const { layout, localRows, cachedRows } = await storeWith(3, 2);
    expect(loadHistory(layout.historyIndex)).toMatchObject({ ok: false, why: 'missing' });
    expect(await refreshHistoryIndex(layout)).toBeNull();
    const rows = indexed(layout);
    expect(rows.map((r) => r.id).sort()).toEqual(await storedIds(layout));
    expect(rows.map((r) => [r.cmd, r.source])).toEqual([
      ['local 0', 'local'], ['team 0', 'team'], ['local 1', 'local'], ['team 1', 'team'], ['local 2', 'local'],
    ]);
    expect(rows[0]).toEqual(historyRowOf(localRows[0]!));
    expect(rows[1]).toEqual(historyRowOf(cachedRows[0]!, 'team'));
  });

  it('takes the journal in: rows journaled before are in the snapshot, rows journaled after are merged', async () => {
    const { layout } = await storeWith(2, 0);
    const early = invocation({ cmd: 'journaled before the rebuild' });
    writeLocal(layout, 'invocations', [early]);
    appendToJournal(layout.historyIndex, [historyRowOf(early)]);
    await refreshHistoryIndex(layout);
    // The journal taken in is gone; a fresh one holds only the id its snapshot records.
    expect(readdirSync(layout.historyIndex).filter((n) => n.includes('journal'))).toEqual(['journal.jsonl']);
    expect(readFileSync(indexFiles(layout.historyIndex).journal, 'utf8')).toMatch(/^\{"journal":"[0-9a-f-]{36}"\}$/);
    const late = invocation({ cmd: 'journaled after' });
    writeLocal(layout, 'invocations', [late]);
    appendToJournal(layout.historyIndex, [historyRowOf(late), historyRowOf(early)]);
    const ids = indexed(layout).map((r) => r.id).sort();
    expect(ids).toEqual(await storedIds(layout));
  });

  it('a stale marker left by a dead process makes the index unreadable until rebuilt; one of a live process does not', async () => {
    const { layout } = await storeWith(1, 0);
    await refreshHistoryIndex(layout);
    // A live process (this one's parent: alive for the whole test) is still changing the store.
    writeFileSync(join(layout.historyIndex, staleName('0190f000-0000-7000-8000-00000000000c')), `${process.ppid} - -`);
    expect(loadHistory(layout.historyIndex).ok).toBe(true);
    // A process that died before it could rebuild.
    const child = spawn(process.execPath, ['-e', '0']);
    const deadPid = await new Promise<number>((resolve) => child.on('exit', () => resolve(child.pid!)));
    writeFileSync(join(layout.historyIndex, staleName('0190f000-0000-7000-8000-00000000000d')), `${deadPid} - -`);
    expect(loadHistory(layout.historyIndex)).toMatchObject({ ok: false, why: 'stale' });
    await refreshHistoryIndex(layout);
    expect(loadHistory(layout.historyIndex).ok).toBe(true);
    // The live process's marker stays for it to clear; the dead one's is gone.
    expect(readdirSync(layout.historyIndex).filter((n) => n.startsWith('stale-'))).toEqual([staleName('0190f000-0000-7000-8000-00000000000c')]);
  });

  it('clears the marker its own process left', async () => {
    const { layout } = await storeWith(1, 0);
    markIndexStale(layout.historyIndex);
    expect(readdirSync(layout.historyIndex).some((n) => n.startsWith('stale-'))).toBe(true);
    await refreshHistoryIndex(layout);
    expect(readdirSync(layout.historyIndex).some((n) => n.startsWith('stale-'))).toBe(false);
    expect(holderStamp()).toContain(String(process.pid));
  });

  it('stays exact while writers store and journal rows during rebuilds', async () => {
    const { layout } = await storeWith(5, 0);
    let stop = false;
    let written = 0;
    const writer = (async () => {
      while (!stop) {
        const row = invocation({ cmd: `during ${written}` });
        writeLocal(layout, 'invocations', [row]); // stored first, then journaled, as the drainer does
        appendToJournal(layout.historyIndex, [historyRowOf(row)]);
        written++;
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const c = await openStore(layout).connect(ConnectionOptions.minimal());
    open.push(c);
    for (let i = 0; i < 5; i++) {
      await rebuildHistoryIndex(layout, c);
      // A reader at any moment sees at least every row stored before it looked.
      const before = await storedIds(layout);
      const seen = new Set(indexed(layout).map((r) => r.id));
      expect(before.filter((id) => !seen.has(id))).toEqual([]);
    }
    stop = true;
    await writer;
    expect(written).toBeGreaterThan(5);
    expect(indexed(layout).map((r) => r.id).sort()).toEqual(await storedIds(layout));
    expect(existsSync(indexFiles(layout.historyIndex).lock)).toBe(false);
  });
});

describe('reading the index from the store (DuckDB interns and sorts)', () => {
  it('gives what building from every row read whole gives: odd ids, equal starts, NULLs, text of every kind', async () => {
    const { layout } = await storeWith(0, 0);
    const t = 1_717_243_200_000_000n;
    const rows = [
      invocation({ id: '0190F0A1-BB22-7C33-8D44-EE55FF667788', cmd: 'upper-case uuid', timestamp: t }),
      invocation({ id: '0190f0a1bb227c338d44ee55ff667789', cmd: 'uuid without dashes', timestamp: t }),
      invocation({ id: 'zz-not-a-uuid', cmd: 'a foreign id', timestamp: t }),
      invocation({ id: 'aa-not-a-uuid', cmd: 'another foreign id', timestamp: t + 1n }),
      invocation({ id: '0190f0a1-bb22-7c33-8d44-000000000001', cmd: 'ünïcode ✓\nline two 日本語 😀', timestamp: t - 5n, exit_code: null, duration_ms: null }),
      invocation({ cmd: 'make test', cwd: null, session_id: 's-2', hostname: null, timestamp: t + 2n }),
      invocation({ cmd: 'make test', timestamp: t + 3n, exit_code: -1 }),
      // Foreign ids at one start: the index orders them by their hashed bytes, not their text.
      ...['lake-a', 'lake-b', 'lake-c', 'lake-d', 'lake-e', 'lake-f'].map((id) => invocation({ id, cmd: `from ${id}`, timestamp: t + 4n })),
    ];
    writeLocal(layout, 'invocations', rows);
    expect(await refreshHistoryIndex(layout)).toBeNull();
    const c = await openStore(layout).connect(ConnectionOptions.minimal());
    open.push(c);
    const whole = buildIndex((await c.query(historyRowsSql('main.invocations'))).rows.map(historyRowOfValues));
    const asRows = (index: typeof whole) => Array.from({ length: index.size }, (_, r) => rowAt(index, r));
    expect(indexed(layout)).toEqual(asRows(whole));
    expect(indexed(layout)).toHaveLength(13);
  });

  it('holds each stored value in its row across many result chunks and string blocks: NULLs, unicode, NULs, odd ids, 600 sessions', async () => {
    const { layout } = await storeWith(0, 0);
    // 70,000 rows (34 of DuckDB's result chunks, two blocks of distinct commands), written by
    // DuckDB: a value copied into the wrong row, column or byte order shows as a mismatch below.
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const dir = join(layout.localData, 'invocations', 'date=2024-06-01');
    mkdirSync(dir, { recursive: true });
    await c.run(`COPY (SELECT
        CASE WHEN i % 97 = 0 THEN 'lake-' || i WHEN i % 89 = 0 THEN upper(uuid()::VARCHAR) WHEN i % 83 = 0 THEN replace(uuid()::VARCHAR, '-', '')
          WHEN i % 79 = 0 THEN '{' || uuid()::VARCHAR || '}' ELSE uuid()::VARCHAR END AS id,
        's-' || (i % 600) AS session_id,
        TIMESTAMPTZ '2024-06-01 00:00:00+00' + to_microseconds((i // 3) * 1000) AS "timestamp",
        CASE WHEN i % 7 = 0 THEN NULL ELSE (i * 37) % 100000 END AS duration_ms,
        CASE WHEN i % 11 = 0 THEN NULL ELSE '/home/ü/' || (i % 300) END AS cwd,
        CASE WHEN i = 4242 THEN 'nul' || chr(0) || 'inside' WHEN i % 5 = 0 THEN 'ünïcode ✓ 日本語 😀 ' || i ELSE 'cmd ' || (i % 69000) END AS cmd,
        'x' AS executable,
        CASE WHEN i % 13 = 0 THEN NULL WHEN i % 13 = 1 THEN -(i % 300) ELSE i % 256 END::INTEGER AS exit_code,
        'u@host' AS client_id, CASE WHEN i % 17 = 0 THEN NULL ELSE 'host-' || (i % 3) END AS hostname, 'zsh' AS shell
      FROM range(70000) t(i)) TO '${join(dir, 'many.parquet')}' (FORMAT parquet)`);
    c.closeSync();
    db.closeSync();
    expect(await refreshHistoryIndex(layout)).toBeNull();
    const conn = await openStore(layout).connect(ConnectionOptions.minimal());
    open.push(conn);
    const whole = buildIndex((await conn.query(historyRowsSql('main.invocations'))).rows.map(historyRowOfValues));
    // The snapshot holds a NUL as ␀ (snapshot-format.ts).
    const expected = Array.from({ length: whole.size }, (_, r) => rowAt(whole, r)).map((row) => ({ ...row, cmd: row.cmd.replaceAll('\0', '\u2400') }));
    const rows = indexed(layout);
    expect(rows).toHaveLength(70_000);
    expect(rows.filter((r) => r.durationMs === null)).toHaveLength(10_000);
    expect(new Set(rows.map((r) => r.session)).size).toBe(600);
    expect(rows).toEqual(expected);
  }, 60_000);

  it('orderedIndex sorts rows that arrive out of order by start, then id bytes, and keeps ordered ones as they are', () => {
    const base = buildIndex([1, 2, 3].map((n) => historyRowOf(invocation({ cmd: `c ${n}`, timestamp: 1_717_243_200_000_000n + BigInt(n)  }))));
    expect(orderedIndex(base, [])).toBe(base);
    const reversed = { ...base, timestampUs: base.timestampUs.slice().reverse(), cmd: base.cmd.slice().reverse(), ids: new Uint8Array(base.ids.length) };
    for (let r = 0; r < 3; r++) reversed.ids.set(base.ids.subarray((2 - r) * 16, (3 - r) * 16), r * 16);
    const fixed = orderedIndex(reversed, []);
    expect(Array.from({ length: 3 }, (_, r) => rowAt(fixed, r))).toEqual(Array.from({ length: 3 }, (_, r) => rowAt(base, r)));
  });
});

describe('rows the index cannot show', () => {
  it('a stored row without a command, an id or a time stays out of the index, and the rest is indexed', async () => {
    const { layout, localRows } = await storeWith(2, 1);
    // Written by DuckDB, as a hand or an older bird could: bird's own writer refuses such rows.
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const dir = join(layout.cachedData, 'team', 'invocations', 'date=2024-06-01');
    const cols = `'s' AS session_id, 0::BIGINT AS duration_ms, '/' AS cwd, 'x' AS executable, 0 AS exit_code, 'bo@elsewhere' AS client_id, 'elsewhere' AS hostname, 'zsh' AS shell`;
    await c.run(`COPY (SELECT uuid()::VARCHAR AS id, TIMESTAMPTZ '2024-06-01 10:00:00+00' AS "timestamp", NULL::VARCHAR AS cmd, ${cols}
      UNION ALL SELECT NULL::VARCHAR, TIMESTAMPTZ '2024-06-01 10:00:00+00', 'no id', ${cols}) TO '${join(dir, 'hand.parquet')}' (FORMAT parquet)`);
    c.closeSync();
    db.closeSync();
    const conn = await openStore(layout).connect(ConnectionOptions.minimal());
    open.push(conn);
    expect(await rebuildHistoryIndex(layout, conn)).toBe('rebuilt');
    expect(indexed(layout).map((r) => r.cmd).sort()).toEqual([...localRows.map((r) => r.cmd), 'team 0'].sort());
  });
});

describe('foldRemovalsIntoIndex', () => {
  /** An index of five commands, two of them journaled since its snapshot, and no store at all: a fold must not need one. */
  function indexAlone() {
    const layout = tempLayout();
    const rows = Array.from({ length: 5 }, (_, i) => invocation({ cmd: `cmd ${i}`, timestamp: 1_717_243_200_000_000n + BigInt(i) * 1_000_000n }));
    const dir = layout.historyIndex;
    mkdirSync(dir, { recursive: true });
    writeFileSync(indexFiles(dir).snapshot, encodeSnapshot(buildIndex(rows.slice(0, 3).map((r) => historyRowOf(r))), 1));
    appendToJournal(dir, rows.slice(3).map((r) => historyRowOf(r)));
    return { layout, rows };
  }
  const cmds = (layout: ReturnType<typeof tempLayout>) => {
    const loaded = loadHistory(layout.historyIndex);
    if (!loaded.ok) return loaded.why;
    return Array.from({ length: loaded.index.size }, (_, r) => rowAt(loaded.index, r).cmd);
  };

  it('writes the index without those commands, from the snapshot and the journal, and takes back its own marker only', async () => {
    const { layout, rows } = indexAlone();
    const mine = markIndexStale(layout.historyIndex);
    const another = join(layout.historyIndex, staleName('0190f000-0000-7000-8000-0000000000ee'));
    writeFileSync(another, holderStamp()); // a live process of ours is changing the store too: its marker stays
    expect(await foldRemovalsIntoIndex(layout, mine, [rows[1]!.id, rows[4]!.id])).toBe(true);
    expect(existsSync(mine)).toBe(false);
    expect(existsSync(another)).toBe(true);
    expect(cmds(layout)).toEqual(['cmd 0', 'cmd 2', 'cmd 3']);
    expect(readdirSync(layout.historyIndex).filter((n) => n.endsWith('.absorbing'))).toEqual([]);
    expect(existsSync(join(layout.root, 'db', 'bird.duckdb'))).toBe(false);
  });

  it('folds nothing from an index that cannot answer exactly: a dead process left a marker, or the journal is damaged', async () => {
    for (const damage of [
      (dir: string) => writeFileSync(join(dir, staleName('0190f000-0000-7000-8000-0000000000ef')), ''),
      (dir: string) => writeFileSync(indexFiles(dir).journal, '\n["cut sh', { flag: 'a' }),
    ]) {
      const { layout, rows } = indexAlone();
      damage(layout.historyIndex);
      const before = readFileSync(indexFiles(layout.historyIndex).snapshot);
      const mine = markIndexStale(layout.historyIndex);
      expect(await foldRemovalsIntoIndex(layout, mine, [rows[1]!.id])).toBe(false);
      expect(existsSync(mine)).toBe(true); // the next reader rebuilds from the store
      expect(readFileSync(indexFiles(layout.historyIndex).snapshot)).toEqual(before);
    }
  });
});

describe('folding the journal (compaction, once it grew long)', () => {
  it('writes the index readers see into the snapshot and empties the journal, without reading the store', async () => {
    const { layout, localRows } = await storeWith(3, 0);
    expect(await refreshHistoryIndex(layout)).toBeNull();
    const journaled = [invocation({ cmd: 'journaled 1', timestamp: 1_717_243_300_000_000n }), invocation({ cmd: 'journaled 2', timestamp: 1_717_243_301_000_000n })];
    writeLocal(layout, 'invocations', journaled);
    appendToJournal(layout.historyIndex, journaled.map((r) => historyRowOf(r)));
    // A row stored behind the index's back (no journal line, no marker): a fold does not read the
    // store, so it stays out, where a rebuild would take it in.
    writeLocal(layout, 'invocations', [invocation({ cmd: 'unjournaled', timestamp: 1_717_243_302_000_000n })]);
    const seen = indexed(layout);
    expect(seen.map((r) => r.cmd)).toEqual([...localRows.map((r) => r.cmd), 'journaled 1', 'journaled 2']);
    expect(await foldJournalIntoIndex(layout)).toBe(true);
    expect(indexed(layout)).toEqual(seen);
    expect(readJournal(indexFiles(layout.historyIndex).journal).rows).toEqual([]);
    expect(readdirSync(layout.historyIndex).filter((n) => n.endsWith('.absorbing'))).toEqual([]);
  });

  it('rebuilds from the store instead when the index cannot answer exactly (a dead process left a marker)', async () => {
    const { layout } = await storeWith(2, 0);
    expect(await refreshHistoryIndex(layout)).toBeNull();
    writeLocal(layout, 'invocations', [invocation({ cmd: 'stored by a writer killed before it journaled', timestamp: 1_717_243_302_000_000n })]);
    writeFileSync(join(layout.historyIndex, staleName('0190f000-0000-7000-8000-0000000000ef')), '');
    expect(await foldJournalIntoIndex(layout)).toBe(false);
    expect(await foldOrRebuildHistoryIndex(layout)).toBeNull();
    expect(indexed(layout).map((r) => r.id).sort()).toEqual(await storedIds(layout));
    expect(indexed(layout).map((r) => r.cmd)).toContain('stored by a writer killed before it journaled');
  });
});

