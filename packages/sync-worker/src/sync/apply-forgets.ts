// What a teammate forgot, read from their series' segments: kept as tombstones here (scoped to
// their series, so a teammate can take none of another series' rows), and removed from this
// machine's copies. From then on no pull, of any remote, brings those commands back.
import { forgotten, hasTombstones, writeTombstones, type BirdConfig, type BirdLayout, type Tombstone } from '@bird/core';
import { storageModeOf } from '@bird/store';

export interface SeriesForgets {
  /** The series (its owner's client id) whose segments named them. */
  readonly series: string;
  readonly ids: readonly string[];
}

export async function applyForgets(layout: BirdLayout, config: BirdConfig, forgets: readonly SeriesForgets[]): Promise<void> {
  const known = hasTombstones(layout) ? forgotten(layout) : null;
  const at = new Date().toISOString();
  const fresh: Tombstone[] = [];
  for (const { series, ids } of forgets) {
    for (const id of new Set(ids)) if (!known?.has(series, id)) fresh.push({ id, series, at, by: series, why: 'forget' });
  }
  if (fresh.length === 0) return;
  writeTombstones(layout, fresh);
  await storageModeOf(layout, config).remove(fresh.map((t) => ({ id: t.id, series: t.series })));
}
