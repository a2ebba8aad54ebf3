/**
 * A pull registers its remote's `cached_<name>` in bird.duckdb before it stores rows, and that
 * means opening the catalog read-write: about 120 ms, most of a small pull, to learn that nothing
 * changes. This file remembers which remotes bird.duckdb held when it was last looked at, with
 * that file's identity (inode, size, change and modification times, to the nanosecond). While the
 * catalog is still exactly that file, and has no WAL, the open is skipped.
 *
 * It is a shortcut, never a source of truth: anything else (another catalog, a write since, a
 * WAL, a damaged or missing record) is a miss, and the pull opens the catalog as before and
 * writes the record again. In duckdb mode every stored row changes the catalog, so it misses
 * there; parquet mode's catalog holds only views and changes when they do.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { writeFileAtomic, type BirdLayout } from '@bird/core';

interface Record {
  readonly catalog: string;
  readonly remotes: readonly string[];
}

/** Identifies one state of the file: a rewrite (new inode), a write (size, times) or a rename over it changes it. */
function identityOf(path: string): string | null {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch {
    return null; // no catalog: nothing to skip
  }
}

function readRecord(layout: BirdLayout): Record | null {
  try {
    const value: unknown = JSON.parse(readFileSync(layout.catalogRemotes, 'utf8'));
    if (typeof value !== 'object' || value === null) return null;
    const { catalog, remotes } = value as { catalog?: unknown; remotes?: unknown };
    if (typeof catalog !== 'string' || !Array.isArray(remotes) || !remotes.every((r) => typeof r === 'string')) return null;
    return { catalog, remotes };
  } catch {
    return null; // missing or damaged: a miss, and the pull registers as before
  }
}

/** True when bird.duckdb is still the file last seen holding `remote`'s schema. */
export function catalogKnownToHold(layout: BirdLayout, remote: string): boolean {
  const identity = identityOf(layout.catalog);
  if (identity === null || existsSync(`${layout.catalog}.wal`)) return false;
  const record = readRecord(layout);
  return record !== null && record.catalog === identity && record.remotes.includes(remote);
}

/** Records that bird.duckdb, as it is now (closed), holds these remotes' schemas. */
export function noteCatalogHolds(layout: BirdLayout, remotes: Iterable<string>): void {
  const identity = identityOf(layout.catalog);
  if (identity === null || existsSync(`${layout.catalog}.wal`)) return;
  try {
    writeFileAtomic(layout.catalogRemotes, JSON.stringify({ catalog: identity, remotes: [...remotes].sort() }), { durable: false, tmpDir: layout.tmp });
  } catch {
    // a shortcut only: without it the next pull opens the catalog, as it did before it existed
  }
}
