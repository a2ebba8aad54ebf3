// The journal's rows merged into a window of the snapshot's newest rows, exactly as mergeRows
// would place them in the whole index, without reading every id of the snapshot: what keeps
// `bird history -n 20` costing the window and the journal, not the store.
import { compareIds, firstOfEachId, idBytes, idText } from './build-index.ts';
import type { HistoryRow } from './history-index.ts';

const DAY_US = 86_400_000_000;

/** The id as the index stores it (its 16 bytes, as text): what dedupe compares, a foreign lake's non-UUID id included. */
export function idKey(id: string): string {
  const bytes = new Uint8Array(16);
  idBytes(id, bytes, 0);
  return idText(bytes, 0);
}

/** True when `a` sorts after `b` in the index's order: start, then id bytes. */
function sortsAfter(a: HistoryRow, b: HistoryRow): boolean {
  if (a.timestampUs !== b.timestampUs) return a.timestampUs > b.timestampUs;
  const bytes = new Uint8Array(32);
  idBytes(a.id, bytes, 0);
  idBytes(b.id, bytes, 1);
  return compareIds(bytes, 0, bytes, 1) > 0;
}

/**
 * The journal rows that may fall in a window whose oldest snapshot row is `oldest` (null: the
 * window is the whole snapshot): the first row of each id (mergeRows keeps the first), newer than
 * `oldest`. Indexes into `journal`.
 */
export function journalCandidates(journal: readonly HistoryRow[], oldest: HistoryRow | null): number[] {
  return firstOfEachId(journal).filter((i) => oldest === null || sortsAfter(journal[i]!, oldest));
}

/**
 * Where a copy of these journal rows' ids in the snapshot can start: the start of the UTC day of
 * the oldest. A row stored twice is the same row (a rebuild that took in a row still in the live
 * journal, a pull's rows) or a drainer's redo dated a little apart, and a redo never moves a row
 * to another UTC day (capture's keepSessionOrder): so no copy is older than that day.
 */
export function earliestCopyUs(journal: readonly HistoryRow[], candidates: readonly number[]): number | null {
  if (candidates.length === 0) return null;
  const oldest = Math.min(...candidates.map((i) => journal[i]!.timestampUs));
  return Math.floor(oldest / DAY_US) * DAY_US;
}

/**
 * The window `tail` (the snapshot's newest rows, oldest first; `complete` when it is all of them)
 * with the journal rows among them, oldest first, as mergeRows orders and dedupes them: each id
 * once, a snapshot row before a journal row of its id. `heldBefore` holds the ids (idKey) of the
 * candidates the snapshot holds before the window.
 */
export function mergeJournalIntoTail(tail: readonly HistoryRow[], complete: boolean, journal: readonly HistoryRow[], heldBefore: ReadonlySet<string>): HistoryRow[] {
  const inTail = new Set(tail.map((r) => idKey(r.id)));
  const added = journalCandidates(journal, complete || tail.length === 0 ? null : tail[0]!)
    .map((i) => journal[i]!)
    .filter((r) => !inTail.has(idKey(r.id)) && !heldBefore.has(idKey(r.id)));
  if (added.length === 0) return [...tail];
  return [...tail, ...added].sort((a, b) => (sortsAfter(a, b) ? 1 : sortsAfter(b, a) ? -1 : 0));
}
