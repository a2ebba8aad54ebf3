// What a teammate forgot, read from their series' segments: kept as tombstones here (scoped to
// their series, so a teammate can take none of another series' rows), and removed from this
// machine's copies. From then on no pull, of any remote, brings those commands back.
import { forgotten, furtherRanges, hasTombstones, noteRangesRemoved, unfinishedRanges, writeRangeTombstones, writeTombstones, type BirdConfig, type BirdLayout, type Tombstone } from '@bird/core';
import { storageModeOf } from '@bird/store';

export interface SeriesForgets {
  /** The series (its owner's client id) whose segments named them. */
  readonly series: string;
  readonly ids: readonly string[];
  /** Every command of the series before this instant (the segments' furthest `forgottenBefore`). */
  readonly before?: string;
}

export async function applyForgets(layout: BirdLayout, config: BirdConfig, forgets: readonly SeriesForgets[]): Promise<void> {
  const known = hasTombstones(layout) ? forgotten(layout) : null;
  const at = new Date().toISOString();
  const fresh: Tombstone[] = [];
  for (const { series, ids } of forgets) {
    for (const id of new Set(ids)) if (!known?.has(series, id)) fresh.push({ id, series, at, by: series, why: 'forget' });
  }
  // A range holds in the series that said it only (the segment's own, never a name it gives).
  const ranges = forgets.flatMap(({ series, before }) => (before === undefined ? [] : furtherRanges(known, [series], before, { at, by: series, why: 'forget' })));
  if (fresh.length > 0) writeTombstones(layout, fresh);
  if (ranges.length > 0) writeRangeTombstones(layout, ranges);
  // With the range forgets a pull before this one was cut short in (nothing, most times).
  const pending = ranges.length > 0 || known?.ranges.length ? unfinishedRanges(layout) : [];
  // Every command the segments name, not only those new here: a pull cut short after keeping
  // the tombstones and before removing the rows reads the same segments again, and must finish.
  // A command already gone costs a scan, and no rewrite.
  const named = forgets.flatMap(({ series, ids }) => [...new Set(ids)].map((id) => ({ id, series })));
  if (named.length === 0 && pending.length === 0) return;
  await storageModeOf(layout, config).remove(named, pending);
  noteRangesRemoved(layout, pending);
}
