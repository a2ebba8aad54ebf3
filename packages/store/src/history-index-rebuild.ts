// Rebuilding the history index from the store: the one place that turns main.invocations into
// a snapshot. Callers are the processes that add or remove rows other than by the journal
// (pull, import, compaction, remote removal) and readers that found the index missing or stale.
import { readdirSync, statSync, unlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isDiskFull, sweepDeadTemporariesIn, uuidv7, waitForLock, writeFileAtomic, type BirdLayout, type Lock } from '@bird/core';
import { ABSORBING, absorbingName, encodeSnapshot, indexFiles, loadHistory, markerIsMine, markerIsStale, startJournal, STALE, type HistoryIndex, type IndexFiles, withoutIds } from '@bird/history-index';
import { ConnectionOptions } from './api.ts';
import { readIndexFromStore, type RowSource } from './history-index-read.ts';
import { openStore } from './store.ts';

/** How long a rebuild waits for another one to finish before giving up (it then leaves its stale marker). */
const LOCK_WAIT_MS = 60_000;

/**
 * What a rebuild did: `unsaved` when the disk is full, so the index it read could not be
 * written; the caller may still answer from `index` (exactly the store's rows), and the next
 * reader rebuilds again.
 */
export type RebuildOutcome = 'rebuilt' | 'busy' | { readonly unsaved: HistoryIndex; readonly problem: string };

/**
 * Writes a new snapshot of main.invocations. The live journal is first moved out of the way
 * (a fresh one, marked with the id the snapshot will record, takes its place): every row in it
 * was stored before it was journaled, so before the query below, which therefore sees it. Rows
 * journaled after go to the fresh journal that readers merge in (a row both there and in the
 * snapshot is kept once). Stale markers present before the query are covered by it, and removed
 * with the absorbed journals once the snapshot is in place.
 */
export async function rebuildHistoryIndex(layout: BirdLayout, source: RowSource, options: { wait?: boolean } = {}): Promise<RebuildOutcome> {
  const files = indexFiles(layout.historyIndex);
  let lock: Lock | null;
  try {
    lock = await waitForLock(files.lock, (options.wait ?? true) ? LOCK_WAIT_MS : 0);
  } catch (error) {
    // Not even a lock file fits: the rows can still be read, and answered from.
    if (!isDiskFull(error)) throw error;
    return unsaved(layout, await readIndexFromStore(source));
  }
  if (!lock) return 'busy';
  try {
    const journal = uuidv7(Date.now());
    try {
      startJournal(files.dir, journal, join(files.dir, absorbingName(uuidv7(Date.now()))));
    } catch (error) {
      if (!isDiskFull(error)) throw error;
      return unsaved(layout, await readIndexFromStore(source));
    }
    // Markers of live processes stay: they are still changing the store, and rebuild after.
    const covered = readdirSync(files.dir).filter((n) => ABSORBING.test(n) || (STALE.test(n) && (markerIsStale(join(files.dir, n)) || markerIsMine(join(files.dir, n)))));
    const builtAtMs = Date.now();
    const index = await readIndexFromStore(source);
    return installSnapshot(layout, files, index, builtAtMs, journal, covered) ? 'rebuilt' : unsaved(layout, index);
  } finally {
    lock.release();
  }
}

/**
 * Writes the snapshot a rebuild (or a fold) made, then deletes what it covers (absorbed journals,
 * stale markers). False when the disk is full: the absorbed journals stay, so readers of the old
 * snapshot still see every row.
 */
function installSnapshot(layout: BirdLayout, files: IndexFiles, index: HistoryIndex, builtAtMs: number, journal: string, covered: readonly string[]): boolean {
  try {
    // Written under db/tmp, which every connection sweeps: a rebuild killed mid-write leaves
    // the commands' text there only until its pid is gone, never in the index's own folder.
    writeFileAtomic(files.snapshot, encodeSnapshot(index, builtAtMs, journal), { mode: 0o600, tmpDir: layout.tmp });
  } catch (error) {
    if (!isDiskFull(error)) throw error;
    return false;
  }
  sweepDeadTemporariesIn(files.dir); // what older birds killed mid-write left beside it
  for (const name of covered) {
    try {
      unlinkSync(join(files.dir, name));
    } catch {
      // already gone: only rebuilds delete these, under the lock, so this is a crashed one's leftover
    }
  }
  return true;
}

/**
 * After a removal from the store (forget, redact) that left `marker` first: a new snapshot made
 * from the index itself without the `removed` ids, rather than from the store. A forgotten
 * command's text must leave the index's files as it left the store's, and reading the snapshot
 * and journals back costs a fraction of a query of every stored row. Covers `marker` alone:
 * another process's marker says the store changed in a way this index has not seen. False as
 * foldIntoSnapshot says, and the caller rebuilds.
 */
export function foldRemovalsIntoIndex(layout: BirdLayout, marker: string, removed: readonly string[]): Promise<boolean> {
  return foldIntoSnapshot(layout, (index) => withoutIds(index, removed), [basename(marker)]);
}

/**
 * The journal folded into a new snapshot (what compaction does once it grew long): the index
 * readers already see, written whole, so that they stop parsing the journal on every start. It
 * costs reading the snapshot back, not a query of every stored row (at 1M rows a rebuild reads
 * 1.6 GB). False as foldIntoSnapshot says, and the caller rebuilds.
 */
export function foldJournalIntoIndex(layout: BirdLayout): Promise<boolean> {
  return foldIntoSnapshot(layout, (index) => index, []);
}

/**
 * A new snapshot made from the index as readers see it (snapshot and journals merged), changed
 * by `change`, covering the absorbed journals and `alsoCovered`. Only an index that answers
 * exactly (loadHistory ok: no dead process's marker, no damaged journal) can be folded so; false
 * otherwise, or when the disk is full or another rebuild holds the lock.
 */
async function foldIntoSnapshot(layout: BirdLayout, change: (index: HistoryIndex) => HistoryIndex, alsoCovered: readonly string[]): Promise<boolean> {
  const files = indexFiles(layout.historyIndex);
  let lock: Lock | null;
  try {
    lock = await waitForLock(files.lock, LOCK_WAIT_MS);
  } catch (error) {
    if (!isDiskFull(error)) throw error;
    return false;
  }
  if (!lock) return false;
  try {
    if (!loadHistory(files.dir).ok) return false;
    const journal = uuidv7(Date.now());
    try {
      startJournal(files.dir, journal, join(files.dir, absorbingName(uuidv7(Date.now()))));
    } catch (error) {
      if (!isDiskFull(error)) throw error;
      return false;
    }
    const covered = [...readdirSync(files.dir).filter((n) => ABSORBING.test(n)), ...alsoCovered];
    const builtAtMs = Date.now();
    // Everything journaled before the new journal started, in the absorbed ones; rows journaled
    // since are read from the new journal again, once.
    const loaded = loadHistory(files.dir);
    if (!loaded.ok) return false;
    return installSnapshot(layout, files, change(loaded.index), builtAtMs, journal, covered);
  } finally {
    lock.release();
  }
}

function unsaved(layout: BirdLayout, index: HistoryIndex): RebuildOutcome {
  return { unsaved: index, problem: `the disk that holds ${layout.historyIndex} is full, so the history index could not be saved (rows were read from the store instead, more slowly); free some space` };
}


/**
 * After a change to the store the journal does not carry: a rebuild through a connection of its
 * own. Never fails the change itself (its rows are stored): a failed rebuild leaves the stale
 * marker, and the next reader rebuilds. Returns a warning for the caller to show, or null.
 * `wait: false`: when another process is rebuilding it already, nothing is done.
 */
export async function refreshHistoryIndex(layout: BirdLayout, options: { wait?: boolean } = {}): Promise<string | null> {
  try {
    const connection = await openStore(layout).connect(ConnectionOptions.minimal());
    try {
      const outcome = await rebuildHistoryIndex(layout, connection, options);
      return typeof outcome === 'object' ? `${outcome.problem}; the next bird search or bird history rebuilds it.` : null;
    } finally {
      connection.close();
    }
  } catch (error) {
    return `could not update the history index (${error instanceof Error ? error.message : String(error)}); the next bird search or bird history rebuilds it.`;
  }
}

/**
 * Journal bytes past which compaction folds the journal into a new snapshot: readers parse the
 * journal on every start (~1 µs a byte), the rebuild costs about a second at 100,000 rows.
 */
export const FOLD_JOURNAL_BYTES = 256 * 1024;

/**
 * What compaction does when indexNeedsFold: the journal folded into the snapshot, or, when the
 * index cannot answer exactly (missing, a dead process's marker, damage), rebuilt from the store.
 * A warning for the caller to show, or null.
 */
export async function foldOrRebuildHistoryIndex(layout: BirdLayout): Promise<string | null> {
  try {
    if (await foldJournalIntoIndex(layout)) return null;
  } catch {
    // an index that cannot be read back whole: the rebuild below reads the store instead
  }
  return refreshHistoryIndex(layout);
}

/** True when a process that marked the index stale died before it made the index follow (a kill). */
function leftStaleByDeadProcess(names: readonly string[], dir: string): boolean {
  return names.some((n) => STALE.test(n) && markerIsStale(join(dir, n)));
}

/**
 * A removal run again after a kill (a forget, a redact) may find nothing left to remove while the
 * index still holds what the killed run took from the store (its marker says so): the rerun
 * rebuilds it then, so that the forgotten text leaves the index's files before it reports done.
 * A warning for the caller, or null.
 */
export async function finishIndexLeftStale(layout: BirdLayout): Promise<string | null> {
  let names: string[];
  try {
    names = readdirSync(layout.historyIndex);
  } catch {
    // no index at all: nothing of a removed command is in it
    return null;
  }
  return leftStaleByDeadProcess(names, layout.historyIndex) ? refreshHistoryIndex(layout) : null;
}

/** What compaction asks: should the index be rebuilt now? Missing, marked stale by a dead process, or a long journal. */
export function indexNeedsFold(layout: BirdLayout): boolean {
  const files = indexFiles(layout.historyIndex);
  let names: string[];
  try {
    names = readdirSync(files.dir);
  } catch {
    // no index folder (or unreadable): a rebuild makes it, or says what is wrong
    return true;
  }
  if (!names.includes('snapshot.bhi')) return true;
  if (leftStaleByDeadProcess(names, files.dir)) return true;
  let bytes = 0;
  for (const n of names) {
    if (n === 'journal.jsonl' || ABSORBING.test(n)) bytes += statSync(join(files.dir, n), { throwIfNoEntry: false })?.size ?? 0;
  }
  return bytes > FOLD_JOURNAL_BYTES;
}
