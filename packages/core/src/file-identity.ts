import { statSync } from 'node:fs';

/**
 * The inode at `path` now, or null when there is none. A process that opens a file which another
 * replaces by rename can end up holding the old one: comparing this before and after the open
 * tells (bird.duckdb is replaced so when a remove rewrites it).
 */
export function inodeAt(path: string): number | null {
  return statSync(path, { throwIfNoEntry: false })?.ino ?? null;
}
