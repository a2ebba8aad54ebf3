// Stale markers: a process about to change the store other than through the journal (pull,
// import, setting a damaged file aside) leaves one first and rebuilds the index after, which
// removes it. One killed in between leaves its marker, and the next reader rebuilds.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { holderStamp, isHolderAlive, uuidv7, writeFileAtomic } from '@bird/core';
import { staleName } from './index-files.ts';

/** Leaves a marker naming this process. */
export function markIndexStale(indexDir: string): void {
  writeFileAtomic(join(indexDir, staleName(uuidv7(Date.now()))), holderStamp(), { mode: 0o600, durable: false });
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
