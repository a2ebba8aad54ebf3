import { appendFileSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildIndex, mergeRows, rowAt, withoutIds } from './build-index.ts';
import type { HistoryRow } from './history-index.ts';
import { absorbingName, indexFiles, staleName } from './index-files.ts';
import { appendToJournal, invalidateIndex, readJournal, startJournal } from './journal.ts';
import { loadHistory } from './load-history.ts';
import { decodeSnapshot, encodeSnapshot, internedWidth, snapshotNamesNoJournal } from './snapshot-format.ts';

const row = (n: number, over: Partial<HistoryRow> = {}): HistoryRow => ({
  id: `0190f${String(n).padStart(3, '0')}-0000-7000-8000-000000000000`,
  timestampUs: 1_700_000_000_000_000 + n * 1_000_000,
  durationMs: n * 10,
  exitCode: n % 3 === 0 ? 1 : 0,
  cmd: `cmd ${n % 4}`,
  cwd: `/home/ana/p${n % 2}`,
  session: `s${n % 2}`,
  host: 'box',
  source: n % 5 === 0 ? 'team' : 'local',
  ...over,
});
const rowsOf = (index: ReturnType<typeof buildIndex>) => Array.from({ length: index.size }, (_, r) => rowAt(index, r));

let dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'bird-hix-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

describe('buildIndex / mergeRows', () => {
  it('orders rows by start time and keeps every column', () => {
    const rows = [row(3), row(1), row(2, { durationMs: null, exitCode: null, cmd: 'ünïcode ✓\nline two' })];
    expect(rowsOf(buildIndex(rows))).toEqual([row(1), row(2, { durationMs: null, exitCode: null, cmd: 'ünïcode ✓\nline two' }), row(3)]);
  });

  it.each([
    ['a row repeated in the new rows', [row(1), row(1)], [], 1],
    ['a row already in the base', [row(1)], [row(1)], 1],
    ['two rows with one start time and different ids', [row(1), row(1, { id: '0190f999-0000-7000-8000-000000000000' })], [], 2],
    ['the same id dated differently (a redo of a clockless shell)', [row(1), row(1, { timestampUs: 5 })], [], 1],
    ['the same id dated differently than in the base', [row(1, { timestampUs: 5 })], [row(1)], 1],
  ])('keeps %s the right number of times', (_name, fresh, base, size) => {
    expect(mergeRows(buildIndex(base), fresh).size).toBe(size);
  });

  it('buildIndex copies the store as it is: nothing is left out', () => {
    expect(buildIndex([row(1), row(1)]).size).toBe(2);
  });

  it.each([
    ['newer than every base row (a journal of new captures)', [20, 21, 22], 5],
    ['older than every base row', [-3, -2], 5],
    ['between base rows, and on a base row\'s start', [0.5, 2, 2.25, 7], 5],
    ['many, past the strings looked up one by one', Array.from({ length: 90 }, (_, k) => k * 0.37), 60],
  ])('merging rows %s gives what building from all of them does', (_name, starts, baseSize) => {
    // Ids that sort differently from starts, and strings that repeat and are new.
    const fresh = starts.map((s, k) => row(500 + k, { timestampUs: 1_700_000_000_000_000 + Math.round(s * 1_000_000), cmd: `cmd ${k % 7}`, cwd: `/new/${k % 3}` }));
    const base = Array.from({ length: baseSize }, (_, n) => row(n));
    const merged = mergeRows(buildIndex(base), fresh);
    expect(rowsOf(merged)).toEqual(rowsOf(buildIndex([...base, ...fresh])));
    for (const strings of [merged.commands, merged.dirs, merged.sessions, merged.hosts, merged.sources]) expect(new Set(strings).size).toBe(strings.length);
  });

  it('merging into a base keeps the base\'s string numbers, and shares its tables when nothing is new', () => {
    const base = buildIndex([1, 2, 3, 4].map((n) => row(n)));
    const merged = mergeRows(base, [row(9)]);
    expect(merged.commands).toBe(base.commands);
    expect(Array.from(merged.cmd.subarray(0, 4))).toEqual(Array.from(base.cmd));
    expect(mergeRows(base, [row(10, { cmd: 'new' })]).commands).toEqual([...base.commands, 'new']);
  });

  it('interns each distinct string once', () => {
    const index = buildIndex([row(1), row(5), row(9)]);
    expect(index.commands).toEqual(['cmd 1']);
    expect(index.sources).toEqual(['local', 'team']);
  });
});

describe('snapshot format', () => {
  it('round-trips an index exactly, strings included', () => {
    const index = buildIndex([row(1), row(2, { cmd: 'a\0b', cwd: '' }), row(3, { cmd: '日本語 😀' })]);
    const decoded = decodeSnapshot(encodeSnapshot(index, 42));
    expect(decoded.builtAtMs).toBe(42);
    expect(rowsOf(decoded.index)).toEqual(rowsOf(index).map((r) => (r.cmd === 'a\0b' ? { ...r, cmd: 'a\u2400b' } : r)));
  });

  it.each([
    [0, 1],
    [254, 1],
    [255, 2],
    [65_534, 2],
    [65_535, 4],
  ])('a table of %i strings is numbered in %i bytes a row, one number past it unused (it marks damage)', (count, width) => {
    expect(internedWidth(count)).toBe(width);
  });

  it.each([254, 255, 65_535])('round-trips %i distinct commands at the width they need', (count) => {
    const rows = Array.from({ length: count }, (_, n) => row(n, { cmd: `cmd ${n}`, session: `s${n % 300}` }));
    expect(rowsOf(decodeSnapshot(encodeSnapshot(buildIndex(rows), 1)).index)).toEqual(rowsOf(buildIndex(rows)));
  });

  it.each([
    ['names no journal (a new store\'s empty one)', () => encodeSnapshot(buildIndex([]), 1), true],
    ['names the journal it was started with', () => encodeSnapshot(buildIndex([row(1)]), 1, '0190f000-0000-7000-8000-0000000000aa'), false],
    ['is garbage (its reader rebuilds it)', () => Buffer.from('garbage'), false],
    ['is cut in its header', () => encodeSnapshot(buildIndex([]), 1).subarray(0, 20), false],
  ])('snapshotNamesNoJournal: a snapshot that %s', (_name, bytes, expected) => {
    const path = join(tempDir(), 'snapshot.bhi');
    writeFileSync(path, bytes());
    expect(snapshotNamesNoJournal(path)).toBe(expected);
  });
  it('snapshotNamesNoJournal: no snapshot at all is rebuilt by its reader', () => {
    expect(snapshotNamesNoJournal(join(tempDir(), 'snapshot.bhi'))).toBe(false);
  });
  it('round-trips an empty index', () => {
    expect(decodeSnapshot(encodeSnapshot(buildIndex([]), 1)).index.size).toBe(0);
  });

  it('reads a copy at an unaligned offset', () => {
    const bytes = encodeSnapshot(buildIndex([row(1), row(2)]), 1);
    const shifted = Buffer.alloc(bytes.length + 3);
    bytes.copy(shifted, 3);
    expect(rowsOf(decodeSnapshot(shifted.subarray(3)).index)).toEqual([row(1), row(2)]);
  });

  it.each([
    ['cut short', (b: Buffer) => b.subarray(0, b.length - 20)],
    ['cut in its header', (b: Buffer) => b.subarray(0, 20)],
    ['another file', () => Buffer.from('PAR1 not an index')],
    ['empty', () => Buffer.alloc(0)],
  ])('rejects a snapshot %s', (_name, damage) => {
    const bytes = encodeSnapshot(buildIndex([row(1), row(2), row(3)]), 1);
    expect(() => decodeSnapshot(damage(bytes))).toThrow(/snapshot|section|header|string/);
  });
});

describe('withoutIds', () => {
  it('drops the rows of those ids, whatever their spelling, and keeps every other row as it was', () => {
    const index = buildIndex([1, 2, 3, 4, 5].map((n) => row(n)));
    const gone = [row(2).id.toUpperCase(), row(4).id.replaceAll('-', ''), '0190f999-0000-7000-8000-000000000000'];
    expect(rowsOf(withoutIds(index, gone))).toEqual([row(1), row(3), row(5)]);
    expect(withoutIds(index, ['not-a-uuid'])).toBe(index);
    expect(withoutIds(index, [])).toBe(index);
  });

  it('drops the strings only those rows used, so a forgotten command is in none of its tables', () => {
    const secret = row(2, { cmd: 'export TOKEN=hunter2', cwd: '/only/here', host: 'other', source: 'team', session: 'only' });
    const left = withoutIds(buildIndex([row(1), secret, row(3)]), [secret.id]);
    expect(rowsOf(left)).toEqual([row(1), row(3)]);
    for (const strings of [left.commands, left.dirs, left.sessions, left.hosts, left.sources]) {
      for (const value of [secret.cmd, secret.cwd, secret.session, secret.host, secret.source]) expect(strings).not.toContain(value);
    }
    expect(left).toEqual(buildIndex([row(1), row(3)]));
  });
});

describe('journal', () => {
  it('reads back what was appended, and skips a line a crash cut short without losing the next', () => {
    const dir = tempDir();
    appendToJournal(dir, [row(1), row(2)]);
    const path = indexFiles(dir).journal;
    appendFileSync(path, '\n["0190f003-0000-7000-8000-000000000000",17000'); // a writer died mid-line
    appendToJournal(dir, [row(4)]);
    expect(readJournal(path)).toEqual({ rows: [row(1), row(2), row(4)], damaged: 1, started: null });
  });

  it('creates its folder and a 0600 file', () => {
    const dir = join(tempDir(), 'history-index');
    appendToJournal(dir, [row(1)]);
    expect(readJournal(indexFiles(dir).journal).rows).toEqual([row(1)]);
  });

  it('invalidateIndex leaves a stale marker that makes readers rebuild', () => {
    const dir = tempDir();
    writeFileSync(indexFiles(dir).snapshot, encodeSnapshot(buildIndex([row(1)]), 1));
    expect(loadHistory(dir).ok).toBe(true);
    invalidateIndex(dir, '0190f000-0000-7000-8000-000000000001');
    expect(loadHistory(dir)).toMatchObject({ ok: false, why: 'stale' });
  });
});

describe('loadHistory', () => {
  it('says the index is missing, or damaged, rather than answer without rows', () => {
    const dir = tempDir();
    expect(loadHistory(join(dir, 'nope'))).toMatchObject({ ok: false, why: 'missing' });
    expect(loadHistory(dir)).toMatchObject({ ok: false, why: 'missing' });
    writeFileSync(indexFiles(dir).snapshot, 'garbage');
    expect(loadHistory(dir)).toMatchObject({ ok: false, why: 'damaged' });
  });

  it('merges the snapshot with the live and absorbed journals, each row once', () => {
    const dir = tempDir();
    writeFileSync(indexFiles(dir).snapshot, encodeSnapshot(buildIndex([row(1), row(2)]), 1));
    appendToJournal(dir, [row(2), row(3)]); // row 2 was journaled and also made the snapshot
    renameSync(indexFiles(dir).journal, join(dir, absorbingName('0190f000-0000-7000-8000-00000000000a')));
    appendToJournal(dir, [row(4), row(3)]); // a drainer's redo journals row 3 again
    const loaded = loadHistory(dir);
    expect(loaded.ok && rowsOf(loaded.index)).toEqual([row(1), row(2), row(3), row(4)]);
  });

  it('does not report rows from a stale index', () => {
    const dir = tempDir();
    writeFileSync(indexFiles(dir).snapshot, encodeSnapshot(buildIndex([row(1)]), 1));
    writeFileSync(join(dir, staleName('0190f000-0000-7000-8000-00000000000b')), '');
    expect(loadHistory(dir).ok).toBe(false);
  });

  it('a journal with a line that is not a whole row is damaged: its row is in the store, and a rebuild finds it', () => {
    const dir = tempDir();
    writeFileSync(indexFiles(dir).snapshot, encodeSnapshot(buildIndex([]), 1));
    appendToJournal(dir, [row(1), row(2)]);
    const path = indexFiles(dir).journal;
    truncateSync(path, readFileSync(path).length - 5);
    expect(loadHistory(dir)).toMatchObject({ ok: false, why: 'damaged', detail: 'its journal has 1 line that is not a whole row' });
    expect(readdirSync(dir).sort()).toEqual(['journal.jsonl', 'snapshot.bhi']);
  });

  describe('a journal started with its snapshot', () => {
    const id = '0190f000-0000-7000-8000-0000000000aa';
    const started = () => {
      const dir = tempDir();
      appendToJournal(dir, [row(1)]);
      startJournal(dir, id, join(dir, absorbingName('0190f000-0000-7000-8000-0000000000ab')));
      return dir;
    };

    it('holds only its id, and the journal it replaced goes on as an absorbed one, rows and all', () => {
      const dir = started();
      expect(readFileSync(indexFiles(dir).journal, 'utf8')).toBe(`{"journal":"${id}"}`);
      appendToJournal(dir, [row(2)]);
      expect(readJournal(indexFiles(dir).journal)).toEqual({ rows: [row(2)], damaged: 0, started: id });
      expect(readJournal(join(dir, absorbingName('0190f000-0000-7000-8000-0000000000ab'))).rows).toEqual([row(1)]);
      // A rebuild under way (its snapshot not written yet): the old snapshot and every journal, each row once.
      writeFileSync(indexFiles(dir).snapshot, encodeSnapshot(buildIndex([]), 1, '0190f000-0000-7000-8000-0000000000a9'));
      const loaded = loadHistory(dir);
      expect(loaded.ok && rowsOf(loaded.index)).toEqual([row(1), row(2)]);
    });

    it.each([
      ['deleted', (path: string) => rmSync(path)],
      ['deleted, then started again by an append', (path: string) => (rmSync(path), appendToJournal(dirname(path), [row(3)]))],
      ['emptied', (path: string) => truncateSync(path, 0)],
      ['overwritten', (path: string) => writeFileSync(path, 'garbage')],
    ])('%s, it is not the journal its snapshot was built with: damaged, and rebuilt rather than miss rows', (_what, damage) => {
      const dir = started();
      rmSync(join(dir, absorbingName('0190f000-0000-7000-8000-0000000000ab'))); // the rebuild finished
      writeFileSync(indexFiles(dir).snapshot, encodeSnapshot(buildIndex([row(1)]), 1, id));
      appendToJournal(dir, [row(2)]);
      expect(loadHistory(dir).ok).toBe(true);
      damage(indexFiles(dir).journal);
      expect(loadHistory(dir)).toMatchObject({ ok: false, why: 'damaged' });
    });

    it('a snapshot from before journals were started with it reads any journal, or none, as before', () => {
      const dir = tempDir();
      writeFileSync(indexFiles(dir).snapshot, encodeSnapshot(buildIndex([row(1)]), 1));
      expect(loadHistory(dir).ok).toBe(true);
      appendToJournal(dir, [row(2)]);
      const loaded = loadHistory(dir);
      expect(loaded.ok && rowsOf(loaded.index)).toEqual([row(1), row(2)]);
    });
  });
});
