// Reading the index: the snapshot, with every journal's rows merged in. No DuckDB.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mergeRows } from './build-index.ts';
import type { HistoryIndex, HistoryRow } from './history-index.ts';
import { ABSORBING, indexFiles, STALE } from './index-files.ts';
import { readJournal as readJournalFile } from './journal.ts';
import { markerIsStale } from './stale-marker.ts';
import { DamagedSnapshot, decodeSnapshot } from './snapshot-format.ts';

export type LoadedHistory =
  | { ok: true; index: HistoryIndex; builtAtMs: number; journalRows: number; damagedLines: number }
  /** The index cannot answer exactly: rebuild it from the store first (`rebuildHistoryIndex`). */
  | { ok: false; why: 'missing' | 'stale' | 'damaged'; detail: string };

/**
 * A rebuild deletes the journals it absorbed after writing the new snapshot. A reader that listed
 * a journal, read the older snapshot, then found that journal gone would miss its rows: it reads
 * again from the start, which then finds the new snapshot. A rebuild is rare, so a few tries do.
 */
const MAX_TRIES = 5;

export function loadHistory(indexDir: string): LoadedHistory {
  const read = readIndexFiles(indexDir, (path) => decodeSnapshot(readFileSync(path)));
  if (!read.ok) return read;
  const { snapshot, rows } = read;
  return { ok: true, index: mergeRows(snapshot.index, rows), builtAtMs: snapshot.builtAtMs, journalRows: rows.length, damagedLines: 0 };
}

type ReadFiles<S> = { ok: true; snapshot: S; rows: HistoryRow[] } | { ok: false; why: 'missing' | 'stale' | 'damaged'; detail: string };

/**
 * The snapshot (as `open` reads it) and every journal's rows, with the checks that decide whether
 * they answer exactly: no dead process's stale marker, no damaged journal line, the journal the
 * snapshot was started with. Every reader of the index goes through this.
 */
export function readIndexFiles<S extends { journal?: string }>(indexDir: string, open: (snapshotPath: string) => S, close: (snapshot: S) => void = () => {}): ReadFiles<S> {
  const files = indexFiles(indexDir);
  for (let attempt = 0; ; attempt++) {
    let names: string[];
    try {
      names = readdirSync(indexDir);
    } catch {
      // missing or unreadable alike: the caller rebuilds it, and that says what is wrong
      return { ok: false, why: 'missing', detail: `${indexDir} does not exist` };
    }
    if (names.some((n) => STALE.test(n) && markerIsStale(join(indexDir, n)))) {
      return { ok: false, why: 'stale', detail: 'rows were added to or removed from the store since it was built' };
    }
    let snapshot: S;
    try {
      snapshot = open(files.snapshot);
    } catch (error) {
      if (error instanceof DamagedSnapshot) return { ok: false, why: 'damaged', detail: error.message };
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false, why: 'missing', detail: `${files.snapshot} does not exist` };
      throw error;
    }
    const absorbing = names.filter((n) => ABSORBING.test(n)).map((n) => join(indexDir, n));
    const rows: HistoryRow[] = [];
    let damaged = 0;
    let vanished = false;
    let liveStarted: string | null = null;
    try {
      for (const path of [...absorbing, files.journal]) {
        try {
          const read = readJournalFile(path);
          for (const row of read.rows) rows.push(row);
          damaged += read.damaged;
          if (path === files.journal) liveStarted = read.started;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
          // The live journal may simply not exist yet; an absorbed one vanishing means a rebuild.
          if (path !== files.journal) vanished = true;
        }
      }
    } catch (error) {
      close(snapshot);
      throw error;
    }
    if (vanished && attempt < MAX_TRIES) {
      close(snapshot);
      continue;
    }
    const failure = (detail: string): ReadFiles<S> => {
      close(snapshot);
      return { ok: false, why: 'damaged', detail };
    };
    // A line that is not a whole row held a row the store has (a writer cut short, or damage).
    if (damaged > 0) return failure(`its journal has ${damaged} line${damaged === 1 ? '' : 's'} that ${damaged === 1 ? 'is' : 'are'} not a whole row`);
    // A journal other than the one the snapshot started (deleted, emptied, overwritten) may lack rows;
    // while a rebuild is under way (absorbed journals present) the snapshot names the one before.
    if (snapshot.journal !== undefined && absorbing.length === 0 && liveStarted !== snapshot.journal) {
      return failure('its journal is not the one its snapshot was built with (removed or replaced since)');
    }
    return { ok: true, snapshot, rows };
  }
}
