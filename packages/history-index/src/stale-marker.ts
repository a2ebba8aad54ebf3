// Stale markers: a process about to change the store other than through the journal (pull,
// import, setting a damaged file aside) leaves one first and, after, rebuilds the index (which
// removes it), journals its rows (a pull of a few rows) or folds its removed commands out of
// the index (a forget of a few) and takes the marker back. One killed
// in between leaves its marker, and the next reader rebuilds.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { holderStamp, isHolderAlive, uuidv7, writeFileAtomic } from '@bird/core';
import { staleName } from './index-files.ts';

/** Leaves a marker naming this process; returns its path, for a process that journals its rows instead of rebuilding. */
export function markIndexStale(indexDir: string): string {
  const path = join(indexDir, staleName(uuidv7(Date.now())));
  writeFileAtomic(path, holderStamp(), { mode: 0o600, durable: false });
  return path;
}

/**
 * Takes back this process's marker once its rows are in the journal: the index then holds them
 * without a rebuild. Gone already is fine (a rebuild of this process covered it).
 */
export function clearStaleMarker(path: string): void {
  rmSync(path, { force: true });
}

/**
 * A marker counts once the process that left it is gone. While it lives it is still changing
 * the store and rebuilds the index itself when done; a reader rebuilding under it would get
 * half of its change, slowly.
 */
export function markerIsStale(path: string): boolean {
  const holder = readMarker(path);
  return holder !== undefined && !isHolderAlive(holder);
}

/** True for a marker this process left. */
export function markerIsMine(path: string): boolean {
  return readMarker(path) === holderStamp();
}

function readMarker(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // removed by a rebuild just now
  }
}
