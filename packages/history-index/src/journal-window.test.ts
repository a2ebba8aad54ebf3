import { describe, expect, it } from 'vitest';
import { buildIndex, mergeRows, rowAt } from './build-index.ts';
import type { HistoryRow } from './history-index.ts';
import { earliestCopyUs, idKey, journalCandidates, mergeJournalIntoTail } from './journal-window.ts';

const DAY = 1_718_000_000_000_000 - (1_718_000_000_000_000 % 86_400_000_000); // a UTC midnight
const id = (n: number) => `0190f${String(n).padStart(3, '0')}-0000-7000-8000-${String(n).padStart(12, '0')}`;
/** Row `n` at `min` minutes into the day. */
const row = (n: number, min: number, over: Partial<HistoryRow> = {}): HistoryRow => ({ id: id(n), timestampUs: DAY + min * 60_000_000, durationMs: 1, exitCode: 0, cmd: `cmd ${n}`, cwd: '/', session: 's', host: 'h', source: 'local', ...over });
// The snapshot: rows 1-10, a minute apart from minute 10.
const snapshot = Array.from({ length: 10 }, (_, i) => row(i + 1, 10 + i));
/** Rows are told apart by their command (ids come back from the index as it stores them). */
const label = (r: HistoryRow) => r.cmd.replace(/^cmd /, '');

/** The newest `n` rows of the snapshot with the journal merged in, read as recent-history reads them. */
function windowOf(n: number, journal: HistoryRow[]): string[] {
  const from = Math.max(0, snapshot.length - n);
  const tail = snapshot.slice(from);
  const candidates = journalCandidates(journal, from === 0 ? null : tail[0]!);
  const since = earliestCopyUs(journal, candidates);
  // What the snapshot holds before the window, from the earliest day a copy can be dated.
  const before = snapshot.slice(0, from).filter((r) => since !== null && r.timestampUs >= since);
  const held = new Set(before.map((r) => idKey(r.id)).filter((k) => candidates.some((i) => idKey(journal[i]!.id) === k)));
  return mergeJournalIntoTail(tail, from === 0, journal, held).map(label);
}

/** What the whole index (mergeRows) holds from the window's oldest snapshot row on: the oracle. */
function wholeFrom(n: number, journal: HistoryRow[]): string[] {
  const whole = mergeRows(buildIndex(snapshot), journal);
  const rows = Array.from({ length: whole.size }, (_, r) => rowAt(whole, r));
  const from = Math.max(0, snapshot.length - n);
  if (from === 0) return rows.map(label);
  const oldest = rows.findIndex((r) => r.id === snapshot[from]!.id);
  return rows.slice(oldest).map(label);
}

describe('mergeJournalIntoTail: the newest rows with the journal, as the whole index has them', () => {
  it.each<[string, number, HistoryRow[], string[]]>([
    ['no journal: the snapshot tail', 3, [], ['8', '9', '10']],
    ['journal rows newer than the snapshot come last, in order', 3, [row(12, 40), row(11, 30)], ['8', '9', '10', '11', '12']],
    ['a journal row older than the window is not in it', 3, [row(11, 1), row(12, 40)], ['8', '9', '10', '12']],
    ['journal rows interleaved with the window go between its rows', 3, [row(11, 17.5), row(12, 18.5)], ['8', '11', '9', '12', '10']],
    ['a start equal to a snapshot row: ordered by id', 3, [row(0, 18, { cmd: 'tie' })], ['8', 'tie', '9', '10']],
    ['a row the snapshot holds in the window (a rebuild took it in): once, the snapshot copy', 3, [row(9, 18, { cmd: 'again' })], ['8', '9', '10']],
    ['a redo dated apart of a row in the window: the snapshot copy only', 3, [row(10, 45, { cmd: 'redo' })], ['8', '9', '10']],
    ['a redo dated into the window of a row the snapshot holds before it: not shown', 3, [row(2, 45, { cmd: 'redo' })], ['8', '9', '10']],
    ['an id journaled twice: the first copy decides, even older than the window', 3, [row(11, 2), row(11, 50, { cmd: 'second' })], ['8', '9', '10']],
    ['an id journaled twice, both new: the first copy', 3, [row(11, 50), row(11, 55, { cmd: 'second' })], ['8', '9', '10', '11']],
    ['a window of every row: the journal merged whole', 20, [row(11, 1), row(12, 40), row(3, 41, { cmd: 'redo' })], ['11', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '12']],
    ['an id that is not a UUID (a foreign lake): compared as the index stores it', 3, [row(0, 50, { id: 'not-a-uuid:7' }), row(0, 51, { id: 'not-a-uuid:7', cmd: 'again' })], ['8', '9', '10', '0']],
  ])('%s', (_, n, journal, expected) => {
    const got = windowOf(n, journal);
    expect(got).toEqual(expected);
    expect(got).toEqual(wholeFrom(n, journal));
  });

  it('a copy can be dated no earlier than the UTC day of the oldest journal row in the window', () => {
    expect(earliestCopyUs([row(1, 30), row(2, 60 * 30)], [0, 1])).toBe(DAY);
    expect(earliestCopyUs([row(1, 30)], [])).toBeNull();
  });
});
