import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildIndex, rowAt, withoutIds } from './build-index.ts';
import type { HistoryIndex, HistoryRow } from './history-index.ts';
import { indexFiles } from './index-files.ts';
import { appendToJournal, startJournal } from './journal.ts';
import { loadHistory } from './load-history.ts';
import { openRecentHistory, type RecentHistory } from './recent-history.ts';
import { DamagedSnapshot, decodeSnapshot, encodeSnapshot, HEADER_AT, type Header } from './snapshot-format.ts';
import { SnapshotReader } from './snapshot-reader.ts';

const SIZE = 400;
const id = (n: number) => `0190f${String(n).padStart(3, '0')}-0000-7000-8000-${String(n).padStart(12, '0')}`;
const row = (n: number, over: Partial<HistoryRow> = {}): HistoryRow => ({
  id: id(n),
  timestampUs: 1_700_000_000_000_000 + n * 1_000_000,
  durationMs: n % 7 === 0 ? null : n * 10,
  exitCode: n % 11 === 0 ? null : n % 3,
  cmd: `cmd ${n % 53}${n % 50 === 0 ? '\nsecond line ✓' : ''}`,
  cwd: n % 13 === 0 ? '' : `/home/ana/p${n % 17}`,
  session: `s${n % 5}`,
  host: n % 4 === 0 ? 'other' : 'box',
  source: n % 5 === 0 ? 'team' : 'local',
  ...over,
});
const rowsOf = (index: HistoryIndex) => Array.from({ length: index.size }, (_, r) => rowAt(index, r));
const snapshotRows = Array.from({ length: SIZE }, (_, n) => row(n));

let dirs: string[] = [];
let opened: RecentHistory[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'bird-recent-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const h of opened) h.close();
  opened = [];
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

/** A store's index: the snapshot of `rows` started with its journal, and `journal` appended since. */
function indexDir(rows: readonly HistoryRow[], journal: readonly HistoryRow[] = [], encode = (index: HistoryIndex) => encodeSnapshot(index, 1, JOURNAL)): string {
  const dir = tempDir();
  startJournal(dir, JOURNAL, join(dir, 'unused.absorbing'));
  rmSync(join(dir, 'unused.absorbing'), { force: true });
  writeFileSync(indexFiles(dir).snapshot, encode(buildIndex(rows)));
  appendToJournal(dir, journal);
  return dir;
}
const JOURNAL = '0190f000-0000-7000-8000-0000000000aa';

function open(dir: string): RecentHistory {
  const read = openRecentHistory(dir);
  if (!read.ok) throw new Error(read.detail);
  opened.push(read.history);
  return read.history;
}

/** What loadHistory gives, newest `n` rows of it. */
function expected(dir: string, n: number): HistoryRow[] {
  const loaded = loadHistory(dir);
  if (!loaded.ok) throw new Error(loaded.detail);
  return rowsOf(loaded.index).slice(-n);
}

/** A version 1 file: the same sections, the header saying version 1 without string starts (padded, so nothing moves). */
function asVersion1(file: Buffer): Buffer {
  const length = file.readUInt32LE(HEADER_AT - 4);
  const header = JSON.parse(file.toString('utf8', HEADER_AT, HEADER_AT + length)) as Header;
  const sections = Object.fromEntries(Object.entries(header.sections).filter(([name]) => !name.endsWith('Starts')));
  const text = JSON.stringify({ ...header, version: 1, sections });
  const out = Buffer.from(file);
  out.write(text.padEnd(length, ' '), HEADER_AT, 'utf8');
  return out;
}

/** The header of `file` changed by `change`, padded to the same length. */
function withHeader(file: Buffer, change: (header: Header) => void): Buffer {
  const length = file.readUInt32LE(HEADER_AT - 4);
  const header = JSON.parse(file.toString('utf8', HEADER_AT, HEADER_AT + length)) as Header;
  change(header);
  const out = Buffer.from(file);
  out.write(JSON.stringify(header).padEnd(length, ' '), HEADER_AT, 'utf8');
  return out;
}

describe('openRecentHistory', () => {
  it('gives the newest rows exactly as loadHistory merges them, the journal interleaved and each id once', () => {
    const journal = [
      row(1000), // newer than all
      row(1001, { timestampUs: row(395).timestampUs + 1 }), // among the newest snapshot rows
      row(1002, { timestampUs: row(100).timestampUs - 1, source: 'team' }), // a teammate's old row
      row(390, { timestampUs: row(390).timestampUs + 3000 }), // in the snapshot already, dated apart by a redo
      row(385, { timestampUs: row(399).timestampUs + 7 }), // held before the small windows, its redo dated into them: shown where the snapshot has it
      row(1000), // journaled twice
      row(1003, { timestampUs: row(398).timestampUs, cmd: 'same start as 398' }), // a tie, broken by id: after 398
      row(1005, { id: '0190e005-0000-7000-8000-000000000000', timestampUs: row(398).timestampUs }), // and before it
      row(1004, { id: id(1004).toUpperCase() }),
      row(1004),
    ];
    const dir = indexDir(snapshotRows, journal);
    const recent = open(dir);
    for (const n of [1, 2, 3, 5, 8, 20]) {
      const { index, complete } = recent.newest(n);
      expect(complete).toBe(false);
      const got = rowsOf(index);
      // At least the n newest snapshot rows, and every journal row among them: the tail of the whole.
      expect(got).toEqual(expected(dir, got.length));
      expect(got.length).toBeGreaterThanOrEqual(n);
    }
    const whole = recent.newest(SIZE);
    expect(whole.complete).toBe(true);
    expect(rowsOf(whole.index)).toEqual(expected(dir, Infinity));
  });

  it('an empty index is complete and empty; a missing one says so', () => {
    expect(open(indexDir([])).newest(20)).toMatchObject({ complete: true, index: { size: 0 } });
    expect(rowsOf(open(indexDir([], [row(1)])).newest(20).index)).toEqual([row(1)]);
    expect(openRecentHistory(join(tempDir(), 'none'))).toMatchObject({ ok: false, why: 'missing' });
  });

  it('never shows a forgotten command', () => {
    const secret = row(399, { cmd: 'export TOKEN=hunter2' });
    const dir = indexDir([], [], () => encodeSnapshot(withoutIds(buildIndex([...snapshotRows.slice(0, 399), secret]), [secret.id]), 1, JOURNAL));
    const got = rowsOf(open(dir).newest(5).index);
    expect(got.map((r) => r.cmd)).not.toContain(secret.cmd);
    expect(got).toEqual(expected(dir, got.length));
  });

  it('applies the same checks as loadHistory: a journal other than the snapshot\'s is damaged', () => {
    const dir = indexDir(snapshotRows);
    writeFileSync(indexFiles(dir).journal, '');
    expect(openRecentHistory(dir)).toMatchObject({ ok: false, why: 'damaged' });
  });

  it('reads a version 2 snapshot (four bytes for every interned number) in place and whole, as a version 3 one', () => {
    const v2 = indexDir(snapshotRows, [row(1000)], (index) => encodeSnapshot(index, 1, JOURNAL, { version: 2 }));
    const v3 = indexDir(snapshotRows, [row(1000)]);
    for (const n of [1, 20, SIZE]) expect(rowsOf(open(v2).newest(n).index)).toEqual(rowsOf(open(v3).newest(n).index));
    expect(rowsOf(decodeSnapshot(readFileSync(indexFiles(v2).snapshot)).index)).toEqual(snapshotRows);
    // What version 3 saves: 3 bytes a row in each of the five interned columns here (all tables are small).
    expect(readFileSync(indexFiles(v2).snapshot).length - readFileSync(indexFiles(v3).snapshot).length).toBeGreaterThanOrEqual(SIZE * 15 - 64);
  });

  it('reads a version 1 snapshot whole, as before', () => {
    const dir = indexDir(snapshotRows, [row(1000)], (index) => asVersion1(encodeSnapshot(index, 1, JOURNAL, { version: 2 })));
    expect(SnapshotReader.open(indexFiles(dir).snapshot)).toBeNull();
    expect(decodeSnapshot(readFileSync(indexFiles(dir).snapshot)).index.size).toBe(SIZE);
    const { index, complete } = open(dir).newest(5);
    expect(complete).toBe(true);
    expect(rowsOf(index)).toEqual(expected(dir, Infinity));
  });
});

describe('a damaged snapshot read in place', () => {
  const damaged = (file: Buffer) => {
    const dir = indexDir(snapshotRows);
    writeFileSync(indexFiles(dir).snapshot, file);
    return dir;
  };
  const good = () => encodeSnapshot(buildIndex(snapshotRows), 1, JOURNAL);
  const sectionOf = (file: Buffer, name: string) => {
    const length = file.readUInt32LE(HEADER_AT - 4);
    return (JSON.parse(file.toString('utf8', HEADER_AT, HEADER_AT + length)) as Header).sections[name as keyof Header['sections']];
  };

  it('cut short, or with a header that does not fit it, is damaged before any row is read', () => {
    const dir = indexDir(snapshotRows);
    truncateSync(indexFiles(dir).snapshot, readFileSync(indexFiles(dir).snapshot).length - 100);
    expect(openRecentHistory(dir)).toMatchObject({ ok: false, why: 'damaged' });
    expect(openRecentHistory(damaged(good().subarray(0, 10)))).toMatchObject({ ok: false, why: 'damaged' });
    expect(openRecentHistory(damaged(withHeader(good(), (h) => (h.size = SIZE + 1))))).toMatchObject({ ok: false, why: 'damaged' });
    expect(openRecentHistory(damaged(withHeader(good(), (h) => (h.sections.commandsStarts.bytes = 4))))).toMatchObject({ ok: false, why: 'damaged' });
    expect(openRecentHistory(damaged(withHeader(good(), (h) => (h.version = 4))))).toMatchObject({ ok: false, why: 'damaged' });
    // An interned column narrower or wider than its table's size gives.
    expect(openRecentHistory(damaged(withHeader(good(), (h) => (h.sections.host.width = 2))))).toMatchObject({ ok: false, why: 'damaged' });
  });

  it('a row naming a string past its table throws DamagedSnapshot', () => {
    const file = good();
    const cmd = sectionOf(file, 'cmd');
    // 53 commands: one byte a row, and 0xff names none of them.
    expect(cmd.width).toBe(1);
    file.writeUInt8(0xff, cmd.offset + SIZE - 1);
    expect(() => open(damaged(file)).newest(1)).toThrow(DamagedSnapshot);
    expect(() => decodeSnapshot(file)).toThrow(DamagedSnapshot);
  });

  it('string starts that go back, or a block with too few strings, throw DamagedSnapshot', () => {
    const backwards = good();
    const starts = sectionOf(backwards, 'commandsStarts');
    backwards.writeUInt32LE(0, starts.offset + 4);
    expect(() => open(damaged(backwards)).newest(SIZE / 20)).toThrow(DamagedSnapshot);
    const merged = good();
    const commands = sectionOf(merged, 'commands');
    const nul = merged.indexOf(0, commands.offset);
    merged[nul] = 0x78; // two strings of the first block become one
    expect(() => open(damaged(merged)).newest(SIZE / 20)).toThrow(DamagedSnapshot);
  });
});
