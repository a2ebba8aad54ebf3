import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildIndex, mergeRows, rowAt } from './build-index.ts';
import type { HistoryIndex, HistoryRow } from './history-index.ts';
import { commandTextOf, forEachRowChunk, IndexInPlace, openIndexInPlace, rowOf, type RowColumn } from './index-in-place.ts';
import { DamagedSnapshot, decodeSnapshot, encodeSnapshot, type Header } from './snapshot-format.ts';
import { SnapshotReader } from './snapshot-reader.ts';

const id = (n: number) => `0190f${String(n).padStart(3, '0')}-0000-7000-8000-${String(n).padStart(12, '0')}`;
/** Rows with repeated commands (some unicode, one of two lines), many sessions, folders and hosts. */
const row = (n: number, over: Partial<HistoryRow> = {}): HistoryRow => ({
  id: id(n),
  timestampUs: 1_700_000_000_000_000 + n * 1_000_000,
  durationMs: n % 7 === 0 ? null : n * 10,
  exitCode: n % 11 === 0 ? null : n % 3,
  cmd: [`git push origin b${n % 29}`, 'echo naïve Ørsted ✓', `ls ${n % 41}`, 'printf "a\\nb"\nsecond line', '日本語 grep'][n % 5]!,
  cwd: n % 13 === 0 ? '' : `/home/ana/p${n % 300}`,
  session: `s${n % 700}`,
  host: n % 4 === 0 ? 'other' : 'box',
  source: n % 5 === 0 ? 'team' : 'local',
  ...over,
});
const SIZE = 1000;
const rows = Array.from({ length: SIZE }, (_, n) => row(n));
const COLUMNS: RowColumn[] = ['timestampUs', 'durationMs', 'exitCode', 'cmd', 'cwd', 'session', 'host', 'source', 'ids'];

let dirs: string[] = [];
let open: { close(): void }[] = [];
afterEach(() => {
  for (const o of open) o.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  [dirs, open] = [[], []];
});

/** The snapshot of `snapshotRows` (with sessions above 255, a 2-byte column), opened in place with `journal`, 64 rows a chunk. */
function inPlace(snapshotRows: readonly HistoryRow[], journal: readonly HistoryRow[] = [], file?: Buffer): IndexInPlace {
  const dir = mkdtempSync(join(tmpdir(), 'bird-in-place-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'snapshot.bhi'), file ?? encodeSnapshot(buildIndex(snapshotRows), 1));
  const reader = SnapshotReader.open(join(dir, 'snapshot.bhi'))!;
  let index: IndexInPlace;
  try {
    index = openIndexInPlace(reader, journal, { chunkRows: 64 });
  } catch (error) {
    reader.close();
    throw error;
  }
  open.push(index);
  return index;
}

/** Everything a reader of an index can see of it: rows, tables, and the columns a chunked scan gives. */
function seen(index: HistoryIndex) {
  const scanned = Object.fromEntries(COLUMNS.map((c) => [c, [] as number[]]));
  forEachRowChunk(index, COLUMNS, (chunk, from, n) => {
    for (const c of COLUMNS) for (let k = 0; k < n * (c === 'ids' ? 16 : 1); k++) scanned[c]!.push(chunk[c][k]!);
    expect(from).toBe(scanned.cmd!.length - n);
  });
  const text = commandTextOf(index);
  return {
    rows: Array.from({ length: index.size }, (_, r) => rowOf(index, r)),
    whole: Array.from({ length: index.size }, (_, r) => rowAt(index, r)),
    commands: [...index.commands],
    text: Array.from({ length: text.count }, (_, c) => Buffer.from(text.bytes.subarray(text.starts[c], text.starts[c + 1]! - 1)).toString('utf8')),
    tables: [index.dirs, index.sessions, index.hosts, index.sources],
    scanned,
  };
}

describe('an index read in place', () => {
  it('gives every row, string and column that decoding the whole snapshot gives', () => {
    const decoded = decodeSnapshot(encodeSnapshot(buildIndex(rows), 1)).index;
    const index = inPlace(rows);
    expect(seen(index)).toEqual(seen(decoded));
    // Merged with more rows (the project's, Ctrl-T), as the whole index would be.
    const more = [row(5, { id: id(7000), cmd: 'project ✓', source: 'project' }), row(SIZE + 9)];
    expect(seen(mergeRows(index, more))).toEqual(seen(mergeRows(decoded, more)));
  });

  it('puts journal rows newer than the snapshot after its rows, as loadHistory merges them, reusing its strings', () => {
    const journal = [row(SIZE + 1, { cmd: 'ls 3' }), row(SIZE, { cmd: 'brand new ✓', session: 'fresh' }), row(SIZE + 2, { cmd: 'brand new ✓' }), row(SIZE + 1, { cmd: 'ls 3' })];
    const index = inPlace(rows, journal);
    expect(seen(index)).toEqual(seen(mergeRows(buildIndex(rows), journal)));
    expect(index.commands.filter((c) => c === 'ls 3')).toHaveLength(1);
    // A column read whole (the rarer reads) is the merged one too.
    expect([...index.session]).toEqual([...mergeRows(buildIndex(rows), journal).session]);
  });

  it('places journal rows among the snapshot rows as loadHistory merges them, a copy of a snapshot row read once', () => {
    const journal = [
      row(5, { id: id(5000), cmd: 'pulled ✓', session: 'theirs', host: 'ci', source: 'team' }),
      row(SIZE - 1), // a copy of the snapshot's newest row
      row(300), // a copy of an older one
      row(0, { id: id(1) }), // same start and id as row 1: a copy too
      row(0, { id: id(4999), cmd: 'ls 3' }), // same start as row 0, a greater id: after it
      row(63, { id: id(6000) }), // at the end of a chunk (64 rows)
      row(64, { id: id(6001) }),
      row(SIZE + 3),
      row(5, { id: id(5000), cmd: 'pulled ✓', session: 'theirs', host: 'ci', source: 'team' }),
    ];
    const merged = mergeRows(decodeSnapshot(encodeSnapshot(buildIndex(rows), 1)).index, journal);
    expect(merged.size).toBe(SIZE + 5);
    const index = inPlace(rows, journal)!;
    expect(seen(index)).toEqual(seen(merged));
    expect([...index.timestampUs]).toEqual([...merged.timestampUs]);
  });

  it('reads an empty snapshot, with a journal or without', () => {
    expect(seen(inPlace([])!)).toEqual(seen(buildIndex([])));
    expect(seen(inPlace([], [row(1), row(2)])!)).toEqual(seen(buildIndex([row(1), row(2)])));
  });

  it('refuses a snapshot with a number past its strings, as decodeSnapshot does', () => {
    const file = encodeSnapshot(buildIndex(rows), 1);
    const header = JSON.parse(file.toString('utf8', 12, 12 + file.readUInt32LE(8))) as Header;
    // The last row's session number, 2 bytes wide, made to name no session.
    file.writeUInt16LE(0xfffe, header.sections.session.offset + (SIZE - 1) * 2);
    expect(() => decodeSnapshot(file)).toThrow(DamagedSnapshot);
    expect(() => inPlace(rows, [], file)).toThrow(DamagedSnapshot);
  });
});
