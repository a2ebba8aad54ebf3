/**
 * A project's cache (project-store.ts's projectCacheLayout) records which project store it holds
 * the lakes of, so that compaction can tell a cache whose project is gone (store's
 * sweep-project-caches.ts): its folder's name is a hash, which says nothing by itself. The record
 * is read back as anything on disk is, untrusted: one absolute path on one line, whose hash is
 * the folder's name; anything else is no record.
 */
import { closeSync, fstatSync, openSync, readSync, constants } from 'node:fs';
import { basename, isAbsolute } from 'node:path';
import { writeFileAtomic } from './atomic-file.ts';
import { birdLayout, type BirdLayout } from './paths.ts';
import { projectCacheKey, projectRealPath } from './project-store.ts';

/** A record longer than this is not one bird wrote (a path is at most PATH_MAX, 4096 bytes). */
const MAX_RECORD_BYTES = 4097;

/** Records in `cache` the project store it holds the lakes of (again at each pull: its age says when it was last pulled). */
export function recordProjectOfCache(cache: BirdLayout, project: BirdLayout): void {
  writeFileAtomic(cache.cachedProject, `${projectRealPath(project)}\n`, { tmpDir: cache.tmp });
}

/** The project store the cache at `cacheRoot` records, or null: no record, or not one that names a store this folder is named by. */
export function recordedProjectOfCache(cacheRoot: string): string | null {
  let fd: number;
  try {
    // O_NOFOLLOW: a record that is a symlink is no record.
    fd = openSync(birdLayout(cacheRoot).cachedProject, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return null; // none (a cache from before records, or being made): its age decides
  }
  try {
    if (!fstatSync(fd).isFile()) return null;
    const buffer = Buffer.alloc(MAX_RECORD_BYTES + 1);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    return parseCacheRecord(buffer.subarray(0, n).toString('utf8'), basename(cacheRoot));
  } catch {
    return null; // unreadable: no record
  } finally {
    closeSync(fd);
  }
}

/** The path a record's `text` names, or null when it is not a record of the cache folder named `key` (pure). */
export function parseCacheRecord(text: string, key: string): string | null {
  if (text.length > MAX_RECORD_BYTES || !text.endsWith('\n')) return null;
  const path = text.slice(0, -1);
  // One line of printable text, an absolute path, named by the folder's hash (so never another cache's record, nor garbage).
  if (path === '' || /[\u0000-\u001f\u007f]/.test(path) || !isAbsolute(path)) return null;
  return projectCacheKey(path) === key ? path : null;
}
