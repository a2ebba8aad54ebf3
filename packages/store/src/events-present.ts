/**
 * Whether the store may hold events rows, told without DuckDB (`@bird/store/events-present`), so
 * that `bird stats` opens the catalog for them only when there may be some: parquet mode has
 * files of them (this machine's or a remote's); duckdb mode has its marker, made before the first
 * events row went into bird.duckdb (or into the spill that goes into it).
 */
import { closeSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TEMP_SUFFIX, type BirdLayout, type StorageMode } from '@bird/core';
import { PLACEHOLDER_FILE, localTableDir } from './layout.ts';

const DAY_PARTITION = /^date=\d{4}-\d{2}-\d{2}$/;

export function storeMayHoldEvents(layout: BirdLayout, mode: StorageMode): boolean {
  if (mode === 'duckdb') return exists(layout.eventsWritten);
  const tableDirs = [localTableDir(layout, 'events'), ...names(layout.cachedData).map((remote) => join(layout.cachedData, remote, 'events'))];
  return tableDirs.some((dir) => names(dir).some((part) => DAY_PARTITION.test(part) && names(join(dir, part)).some(isDataFile)));
}

/** duckdb mode: called before events rows are written into bird.duckdb (an extra marker is harmless; a missing one hides them from stats). */
export function markEventsWritten(layout: BirdLayout): void {
  closeSync(openSync(layout.eventsWritten, 'a'));
}

const isDataFile = (name: string) => name.endsWith('.parquet') && name !== PLACEHOLDER_FILE && !name.startsWith('.') && !name.endsWith(TEMP_SUFFIX);

function names(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    // no such folder: nothing of it stored
    return [];
  }
}

function exists(path: string): boolean {
  try {
    closeSync(openSync(path, 'r'));
    return true;
  } catch {
    // not there, or unreadable: either way no events are read from it
    return false;
  }
}
