// The publish of PROTOCOL.md's compaction, steps 2-7: a file made in `db/tmp` replaces files of
// one partition, with readers exact at every instant and kill -9 anywhere leaving the old state
// or the new one. Compaction publishes merges through it; forgetting publishes a file's rows
// without the forgotten ones.
import { renameSync, unlinkSync } from 'node:fs';
import { bumpGeneration, clearPublishIntent, fsyncDir, recordMergedIds, writePublishIntent, type BirdLayout, type Lock, type TableName } from '@bird/core';

export interface Replacement {
  readonly table: TableName;
  readonly date: string;
  /** The partition's folder. */
  readonly dir: string;
  /** The finished file in `db/tmp`, and where it goes. */
  readonly tmp: string;
  readonly output: string;
  /** The files it replaces, deleted once it is in place. */
  readonly sources: readonly string[];
  /** The keys the output holds (on record before any source can disappear). */
  readonly ids: readonly string[];
}

export function publishReplacement(layout: BirdLayout, lock: Lock, r: Replacement): void {
  if (!lock.stillHeld()) {
    removeQuietly(r.tmp);
    throw new Error('another compaction took the compaction lock over; stopped before publishing anything');
  }
  // 2. The ids go on record first, so a drainer redoing a claim skips rows about to be moved.
  recordMergedIds(layout, r.table, r.date, r.ids);
  // 3. Readers that overlap what follows retry their query.
  writePublishIntent(layout, { table: r.table, date: r.date, output: r.output, sources: r.sources });
  // 4. The output appears; 5. its sources go (one folder fsync makes both durable);
  // 6. the generation moves on; 7. done.
  renameSync(r.tmp, r.output);
  for (const file of r.sources) removeQuietly(file);
  fsyncDir(r.dir);
  bumpGeneration(layout);
  clearPublishIntent(layout);
}

/**
 * Files of one partition whose every row was forgotten go with nothing in their place, by the
 * same protocol: readers that overlap wait or retry, and a kill anywhere leaves them all there or
 * the intent that the next lock holder (or reader) rolls forward, deleting the rest.
 */
export function publishRemoval(layout: BirdLayout, lock: Lock, r: { readonly table: TableName; readonly date: string; readonly dir: string; readonly sources: readonly string[] }): void {
  if (r.sources.length === 0) return;
  if (!lock.stillHeld()) throw new Error('another compaction took the compaction lock over; stopped before publishing anything');
  writePublishIntent(layout, { table: r.table, date: r.date, output: null, sources: r.sources });
  for (const file of r.sources) removeQuietly(file);
  fsyncDir(r.dir);
  bumpGeneration(layout);
  clearPublishIntent(layout);
}

export function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone: the end state is the same
  }
}
