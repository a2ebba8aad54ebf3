// A new store starts with an empty snapshot, so that its first Ctrl-R reads the journal alone
// instead of loading DuckDB to rebuild an index of nothing.
import { existsSync, readdirSync } from 'node:fs';
import { tryLock, writeFileAtomic, type BirdLayout } from '@bird/core';
import { EMPTY_INDEX } from './build-index.ts';
import { indexFiles } from './index-files.ts';
import { encodeSnapshot } from './snapshot-format.ts';

/**
 * Writes an empty snapshot when there is none and the store holds no data yet (no catalog, and
 * nothing in its data folders). Rows stored from then on reach the index through the journal; a pull or import
 * rebuilds it. Where data may already exist (an upgrade, a deleted index) nothing is written and
 * the first reader rebuilds from the store. Costs one stat when the snapshot exists.
 */
export function seedEmptyIndex(layout: BirdLayout): void {
  const files = indexFiles(layout.historyIndex);
  if (existsSync(files.snapshot)) return;
  // The root's folders exist from its first use on; data is a catalog, or anything in them.
  const holdsData = () => existsSync(layout.catalog) || existsSync(layout.cachedData) || (readdirSync(layout.localData, { withFileTypes: false }) as string[]).length > 0;
  if (holdsData()) return;
  // Under the rebuild lock: a rebuild (an import, a pull) that ran meanwhile wrote the real one.
  const lock = tryLock(files.lock);
  if (!lock) return;
  try {
    if (!existsSync(files.snapshot) && !holdsData()) writeFileAtomic(files.snapshot, encodeSnapshot(EMPTY_INDEX, Date.now()), { mode: 0o600 });
  } finally {
    lock.release();
  }
}
