/**
 * What `bird pull --project` pulled is kept per project under `db/project-caches/<hash>/` (core's
 * projectCacheLayout); a project deleted, moved or re-cloned elsewhere leaves its cache behind.
 * Compaction removes each cache whose recorded project store (core's project-cache-record.ts) is
 * no longer there, and each with no sound record once it has been left alone for a day (made by
 * a bird from before records, or by a pull killed first).
 *
 * A pull may be filling a cache right now: it holds the cache's lock from before it records its
 * project until it is done, so a cache is removed only under that lock, and only if its record did
 * not change meanwhile; and a cache touched within the hour is kept anyway. A cache that goes is
 * first renamed aside in one step, then removed; a sweep killed halfway leaves the renamed
 * folder, which the next removes. Nothing but the caches' own folders is touched: a symlink in
 * `db/project-caches/` is neither followed nor removed.
 */
import { lstatSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { birdLayout, projectStorePresent, recordedProjectOfCache, tryLock, type BirdLayout, type Lock } from '@bird/core';

/** A cache touched (made, pulled into) within this long is kept whatever its record says: a pull may be filling it. */
export const FRESH_CACHE_MS = 60 * 60 * 1000;
/** A cache with no sound record is removed once left alone this long. */
export const UNRECORDED_CACHE_MS = 24 * 60 * 60 * 1000;

const CACHE_NAME = /^[0-9a-f]{24}$/;
/** A cache on its way out: renamed so, then removed. */
const SWEPT_NAME = /^\.swept-[0-9a-f]{24}-[0-9]+$/;

export interface ProjectCacheFacts {
  /** The project store the cache records, or null: no record, or not a sound one. */
  readonly recordedProject: string | null;
  /** Whether that project store is still there. */
  readonly projectPresent: boolean;
  /** How long since anything wrote into the cache. */
  readonly idleMs: number;
}

/** Whether a project's cache is removed (pure). */
export function projectCacheAbandoned(f: ProjectCacheFacts): boolean {
  if (f.idleMs < FRESH_CACHE_MS) return false;
  if (f.recordedProject === null) return f.idleMs >= UNRECORDED_CACHE_MS;
  return !f.projectPresent;
}

/** Removes the caches of projects that are gone; returns how many. A cache that cannot be removed is one warning. */
export function sweepProjectCaches(layout: BirdLayout, warn: (message: string) => void, now = Date.now()): number {
  const dir = layout.projectCaches;
  let entries;
  try {
    if (!lstatSync(dir).isDirectory()) return 0;
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0; // no project was ever pulled
  }
  let swept = 0;
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (!entry.isDirectory()) continue; // a symlink, or anything but a folder: not a cache of ours
    if (SWEPT_NAME.test(entry.name)) {
      remove(path, warn);
      continue;
    }
    if (!CACHE_NAME.test(entry.name)) continue;
    const cache = birdLayout(path);
    const record = recordOf(cache);
    const facts = { recordedProject: record.project, projectPresent: record.project !== null && projectStorePresent(record.project), idleMs: now - lastWritten(cache) };
    if (!projectCacheAbandoned(facts)) continue;
    const lock = lockCache(cache, warn);
    if (!lock) continue; // a pull is filling it (or it cannot be locked: said)
    const underLock = recordOf(cache);
    if (underLock.project !== record.project || underLock.mtimeMs !== record.mtimeMs) {
      lock.release(); // a pull recorded its project since: in use
      continue;
    }
    const aside = join(dir, `.swept-${entry.name}-${process.pid}`);
    try {
      renameSync(path, aside); // the lock file goes with it
    } catch (error) {
      lock.release();
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') warn(`the cache ${path} of a project that is gone could not be removed (${code ?? (error as Error).message}); remove it by hand.`);
      continue; // ENOENT: another sweep took it first
    }
    if (remove(aside, warn)) swept++;
  }
  return swept;
}

/** The project a cache records, and when the record was written (0: none). */
function recordOf(cache: BirdLayout): { project: string | null; mtimeMs: number } {
  let mtimeMs = 0;
  try {
    mtimeMs = lstatSync(cache.cachedProject).mtimeMs;
  } catch {
    // no record
  }
  return { project: recordedProjectOfCache(cache.root), mtimeMs };
}

/** The cache's lock, which a pull holds; null when it is held, or cannot be made (one warning). */
function lockCache(cache: BirdLayout, warn: (message: string) => void): Lock | null {
  try {
    return tryLock(cache.cachedProjectLock);
  } catch (error) {
    warn(`the cache ${cache.root} of a project that is gone was not removed: ${(error as Error).message}`);
    return null;
  }
}

/** When anything last wrote into a cache: its folder, its record, its sync state (each pull writes them). */
function lastWritten(layout: BirdLayout): number {
  const root = layout.root;
  const paths = [root, layout.cachedProject, layout.dbDir, layout.tmp, layout.sync];
  try {
    for (const e of readdirSync(layout.sync, { withFileTypes: true })) if (e.isDirectory()) paths.push(join(layout.sync, e.name));
  } catch {
    // no sync state yet: the folder and the record tell
  }
  let newest = 0;
  for (const path of paths) {
    try {
      newest = Math.max(newest, lstatSync(path).mtimeMs);
    } catch {
      // not there: says nothing
    }
  }
  return newest;
}

/** Removes a folder (rm never follows a symlink inside it); false, with a warning, when it cannot. */
function remove(path: string, warn: (message: string) => void): boolean {
  try {
    rmSync(path, { recursive: true, force: true });
    return true;
  } catch (error) {
    warn(`${path}, the cache of a project that is gone, could not be removed (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); remove it by hand.`);
    return false;
  }
}
