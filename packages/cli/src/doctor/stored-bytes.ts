// How much the store takes on disk, by what it holds, for `bird doctor`: so a person can see
// that a forget or retention gave space back, and what else (a mirror, quarantine) holds it.
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BirdLayout } from '@bird/core';

export interface StoredBytes {
  /** This machine's commands: `db/data/local/` (parquet mode) or `bird.duckdb` with its WAL (duckdb mode, which holds caches too). */
  readonly own: number;
  /** Teammates' commands pulled here: `db/data/cached/` (parquet mode). */
  readonly caches: number;
  /** S3 remotes' batches copied to be read locally: `db/mirror/`. */
  readonly mirrors: number;
  /** Outputs kept as blobs (`db/blobs/`): this machine's and pulled teammates'. */
  readonly blobs: number;
  /** What search, history and stats read: `db/history-index/`. */
  readonly index: number;
  /** Damaged files set aside: `db/quarantine/`. */
  readonly quarantine: number;
  /** Everything under the root, these included. */
  readonly total: number;
}

/**
 * Sums file sizes under the root without following links (a link's own size counts, not what it
 * points to), so a store cannot make this walk another folder. An entry that vanishes or cannot
 * be read mid-walk counts as nothing: a compaction may be renaming files meanwhile.
 */
export function storedBytes(layout: BirdLayout): StoredBytes {
  const catalog = sizeOf(layout.catalog) + sizeOf(`${layout.catalog}.wal`);
  return {
    own: bytesUnder(layout.localData) + catalog,
    caches: bytesUnder(layout.cachedData),
    mirrors: bytesUnder(layout.mirror),
    blobs: bytesUnder(layout.blobs),
    index: bytesUnder(layout.historyIndex),
    quarantine: bytesUnder(layout.quarantine),
    total: bytesUnder(layout.root),
  };
}

function sizeOf(path: string): number {
  try {
    const stat = lstatSync(path);
    return stat.isFile() ? stat.size : 0;
  } catch {
    return 0; // not there: nothing stored
  }
}

function bytesUnder(dir: string): number {
  let total = 0;
  const pending = [dir];
  while (pending.length > 0) {
    const folder = pending.pop()!;
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      continue; // gone or unreadable: what is readable still counts
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else total += sizeOf(path);
    }
  }
  return total;
}
