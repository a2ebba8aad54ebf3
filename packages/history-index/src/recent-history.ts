// The newest rows of the index without reading all of it: what `bird history -n 20` and the first
// frame of a search need. The same files and checks as loadHistory (readIndexFiles), the same
// rows in the same order: a window of the snapshot's newest rows, with the journal's rows that
// fall among them, is exactly the newest part of what loadHistory would merge.
import { readFileSync } from 'node:fs';
import { buildIndex, forEachIdIn, idBytes, mergeRows } from './build-index.ts';
import type { HistoryIndex, HistoryRow } from './history-index.ts';
import { earliestCopyUs, idKey, journalCandidates, mergeJournalIntoTail } from './journal-window.ts';
import { readIndexFiles } from './load-history.ts';
import { decodeSnapshot, type DecodedSnapshot } from './snapshot-format.ts';
import { SnapshotReader } from './snapshot-reader.ts';
import { openIndexInPlace } from './index-in-place.ts';

export interface NewestRows {
  /** The newest rows, oldest first, as an index of their own. */
  readonly index: HistoryIndex;
  /** True when these are all the rows there are. */
  readonly complete: boolean;
}

export interface RecentHistory {
  /**
   * The newest `rows` rows of the snapshot (all of them when it holds fewer) with the journal's
   * rows among them: every row newer than the oldest one given is given. Ask again with more to
   * go further back. Throws DamagedSnapshot when what it reads is damaged.
   */
  newest(rows: number): NewestRows;
  /** Every row, as loadHistory gives them (the file read whole). Throws DamagedSnapshot when it is damaged. */
  all(): HistoryIndex;
  /**
   * Every row, as all() gives them, read in place where it can (index-in-place.ts): for a search
   * of millions of rows. The index returned then holds the file open; close() leaves it so.
   */
  inPlace(): HistoryIndex;
  close(): void;
}

/** An index already in memory, read as recent history (a rebuild that could not be saved). */
export function wholeHistory(index: HistoryIndex): RecentHistory {
  return { newest: () => ({ index, complete: true }), all: () => index, inPlace: () => index, close: () => {} };
}

export type OpenedRecentHistory = { ok: true; history: RecentHistory } | { ok: false; why: 'missing' | 'stale' | 'damaged'; detail: string };

/** A read of more than 1/WHOLE_SHARE of the rows reads the file whole. */
const WHOLE_SHARE = 16;

type Snapshot = SnapshotReader | DecodedSnapshot;

/**
 * Opens the index for reading its newest rows. A version 1 snapshot (written before rows could
 * be read in place) is read whole, as loadHistory reads it: correct, as slow as before, until the
 * next rebuild or compaction writes version 2.
 */
export function openRecentHistory(indexDir: string): OpenedRecentHistory {
  const read = readIndexFiles<Snapshot>(
    indexDir,
    (path) => SnapshotReader.open(path) ?? decodeSnapshot(readFileSync(path)),
    (snapshot) => {
      if (snapshot instanceof SnapshotReader) snapshot.close();
    },
  );
  if (!read.ok) return read;
  const { snapshot, rows } = read;
  if (!(snapshot instanceof SnapshotReader)) {
    return { ok: true, history: wholeHistory(mergeRows(snapshot.index, rows)) };
  }
  try {
    return { ok: true, history: readInPlace(snapshot, rows) };
  } catch (error) {
    snapshot.close();
    throw error;
  }
}

function readInPlace(snapshot: SnapshotReader, journalRows: readonly HistoryRow[]): RecentHistory {
  /** The snapshot is an index's now (inPlace): it closes it. */
  let handedOff = false;
  return {
    newest(wanted) {
      // Rows read in place cost more each than a whole read's: past a share of them, read it whole.
      if (wanted >= snapshot.size / WHOLE_SHARE) return { index: mergeRows(snapshot.whole().index, journalRows), complete: true };
      const from = Math.max(0, snapshot.size - Math.max(0, wanted));
      const tail = snapshot.rows(from, snapshot.size);
      const complete = from === 0;
      return { index: buildIndex(mergeJournalIntoTail(tail, complete, journalRows, complete ? new Set() : heldBefore(snapshot, from, journalRows, tail[0] ?? null))), complete };
    },
    all: () => mergeRows(snapshot.whole().index, journalRows),
    inPlace() {
      const index = openIndexInPlace(snapshot, journalRows);
      handedOff = true;
      return index;
    },
    close: () => {
      if (!handedOff) snapshot.close();
    },
  };
}

/**
 * The ids of the journal rows in the window that the snapshot holds before it (row `from`): only
 * the snapshot's rows since the earliest day such a copy can be dated are read, not every id.
 */
function heldBefore(snapshot: SnapshotReader, from: number, journal: readonly HistoryRow[], oldest: HistoryRow | null): Set<string> {
  const candidates = journalCandidates(journal, oldest);
  const since = earliestCopyUs(journal, candidates);
  const held = new Set<string>();
  if (since === null) return held;
  const fresh = new Uint8Array(journal.length * 16);
  for (const i of candidates) idBytes(journal[i]!.id, fresh, i);
  snapshot.forEachIdChunk((ids, _first, n) => forEachIdIn(ids, n, fresh, candidates, (_, i) => held.add(idKey(journal[i]!.id))), snapshot.firstAtOrAfter(since), from);
  return held;
}
