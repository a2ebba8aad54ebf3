/**
 * A local copy of a remote's lake, kept under the BIRD root (`db/mirror/<name>/`) with the
 * lake's own layout, so DuckDB reads it exactly like a file remote. Batches are immutable, so
 * bringing it up to date is: list the remote, download the objects the mirror lacks (or holds
 * at another size: a download cut short by a crash), and drop files the remote no longer has
 * (e.g. batches compacted away). The cost grows with the new objects, apart from the listing.
 * The marker keeps the last listing and its time: within LISTING_MAX_AGE_MS of it, a mirror
 * that still holds every batch listed is read as it is, with no request to the remote.
 */
import type { Dirent } from 'node:fs';
import { readdir, readFile, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { STALE_PARTIAL_MS, TABLE_NAMES, TEMP_SUFFIX, makeDirs, writeFileAtomic, type BirdLayout } from '@bird/core';
import { checkRemoteName } from '../layout.ts';
import { BLOBS_PREFIX, parseLakeKey, type RemoteBackend } from '@bird/remote';

/** Names the source a mirror was made from (a mirror of another source is cleared first), and its last listing. */
export const MIRROR_MARKER = '_bird_mirror.json';
/**
 * How long a remote's listing stands for it: a query within this time of the last one lists
 * nothing, so it may miss batches pushed since (README: "Remotes" states it).
 */
export const LISTING_MAX_AGE_MS = 60_000;
const DOWNLOAD_CONCURRENCY = 8;
/** Slack for coarse file timestamps when deciding whether a file predates the listing. */
const CLOCK_SLACK_MS = 2000;

/** `db/mirror/<name>`: where the lake of remote `<name>` is copied to be read locally. */
export function mirrorDir(layout: BirdLayout, remote: string): string {
  return join(layout.mirror, checkRemoteName(remote));
}

export interface MirrorResult {
  /** Objects copied from the remote by this call. */
  readonly downloaded: number;
  /** Objects the mirror already held. */
  readonly kept: number;
  /** Mirrored files the remote no longer has, removed. */
  readonly removed: number;
  /** Remote objects that are not lake batches (`<table>/<a>/<b>/<batch>.parquet`), left alone. */
  readonly ignored: number;
}

/** True for keys the mirror copies: lake-layout's batches (at lake depth, no hidden part, no glob character). */
export function isLakeKey(key: string): boolean {
  return parseLakeKey(key) !== null;
}

interface LocalFile {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * Brings `dir` up to date with the lake at `backend`. Safe to run from two processes at once:
 * downloads land by rename, and a file is only dropped if it predates this call's listing.
 *
 * @example const result = await syncMirror(backend, mirrorDir(layout, 'team')); // { downloaded: 3, kept: 120, … }
 */
export async function syncMirror(backend: RemoteBackend, dir: string): Promise<MirrorResult> {
  const startedAt = Date.now();
  // What the last listing named: a batch in it that the remote has dropped since (withdrawn by a
  // forget, merged by a compaction) goes now, however recently it was downloaded.
  const listedBefore = new Set(((await readMarker(dir))?.batches ?? []).map(([key]) => key));
  const listings = await Promise.all(TABLE_NAMES.map((table) => backend.list(`${table}/`)));
  await claimFor(dir, backend.location);
  const local = await localFiles(dir, startedAt);

  const wanted = new Set<string>();
  const missing: string[] = [];
  let ignored = 0;
  for (const object of listings.flat()) {
    if (!isLakeKey(object.key)) {
      ignored++;
      continue;
    }
    wanted.add(object.key);
    if (local.get(object.key)?.size !== object.size) missing.push(object.key);
  }

  await inPool(missing, DOWNLOAD_CONCURRENCY, (key) => backend.get(key, join(dir, key)));

  let removed = 0;
  for (const [key, file] of local) {
    if (!wanted.has(key) && (listedBefore.has(key) || file.mtimeMs < startedAt - CLOCK_SLACK_MS)) {
      // already gone, or not ours to remove: the mirror is read by its listing of wanted keys, not by what is on disk
      await unlink(file.path).catch(() => undefined);
      removed++;
    }
  }
  const batches = listings.flat().filter((o) => wanted.has(o.key)).map((o): [string, number] => [o.key, o.size]);
  // The time before the listing: the listing is at least this fresh.
  writeMarker(dir, { source: backend.location, listedAt: startedAt, batches });
  return { downloaded: missing.length, kept: wanted.size - missing.length, removed, ignored };
}

/**
 * True when `dir` is the mirror of `source` and may be read without asking the remote: its last
 * listing is under `maxAgeMs` old (and not from the future), and every batch it listed is here at
 * its size (one deleted or cut short since is fetched by a sync instead).
 */
export async function mirrorIsFresh(dir: string, source: string, now = Date.now(), maxAgeMs = LISTING_MAX_AGE_MS): Promise<boolean> {
  const marker = await readMarker(dir);
  if (marker?.source !== source || marker.listedAt === undefined || marker.batches === undefined) return false;
  const age = now - marker.listedAt;
  if (age < 0 || age > maxAgeMs) return false;
  const local = await localFiles(dir, now);
  return marker.batches.every(([key, size]) => local.get(key)?.size === size);
}

/**
 * Makes the next query that reads remote `name`'s mirror list the remote again, however fresh
 * its listing: for a push from this machine, whose batches its own queries should show at once.
 */
export async function expireMirrorListing(layout: BirdLayout, name: string): Promise<void> {
  const dir = mirrorDir(layout, name);
  const marker = await readMarker(dir);
  if (marker?.listedAt !== undefined) writeMarker(dir, { source: marker.source });
}

interface Marker {
  readonly source: string;
  /** When the last complete sync listed the remote (ms since the epoch), and the batches it found. */
  readonly listedAt?: number;
  readonly batches?: readonly (readonly [string, number])[];
}

/** The marker of `dir`; undefined when missing or damaged. A listing in it that does not check out is dropped, never trusted. */
async function readMarker(dir: string): Promise<Marker | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(join(dir, MIRROR_MARKER), 'utf8'));
  } catch {
    // no marker, or not JSON: nothing is known of this mirror's source or listing
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { source, listedAt, batches } = parsed as Record<string, unknown>;
  const sourceText = typeof source === 'string' ? source : '';
  const listed =
    typeof listedAt === 'number' && Number.isFinite(listedAt) && Array.isArray(batches) && batches.every((b) => Array.isArray(b) && b.length === 2 && typeof b[0] === 'string' && isLakeKey(b[0]) && Number.isSafeInteger(b[1]) && b[1] >= 0);
  return listed ? { source: sourceText, listedAt, batches: batches as [string, number][] } : { source: sourceText };
}

function writeMarker(dir: string, marker: Marker): void {
  writeFileAtomic(join(dir, MIRROR_MARKER), `${JSON.stringify(marker)}\n`, { mode: 0o600, durable: false });
}

/** Makes `dir` the mirror of `source`: a mirror made from another source (the remote's uri changed) is emptied first. */
async function claimFor(dir: string, source: string): Promise<void> {
  // no marker, or a damaged one: not known to mirror this source, so it is emptied and claimed
  const current = (await readMarker(dir))?.source;
  if (current === source) return;
  makeDirs(dir);
  if (current !== undefined || (await readdir(dir)).length > 0) {
    // the blobs fetched from the old source too (live-blobs.ts): they were checked against that lake's rows
    for (const part of [...TABLE_NAMES, BLOBS_PREFIX]) await rm(join(dir, part), { recursive: true, force: true });
  }
  writeMarker(dir, { source });
}

/** Mirrored batches by key; also deletes partial files left by a process that died. */
async function localFiles(dir: string, now: number): Promise<Map<string, LocalFile>> {
  const out = new Map<string, LocalFile>();
  const walk = async (path: string, key: string, depth: number): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(path, { withFileTypes: true });
    } catch {
      // a folder removed while walking, or unreadable: nothing mirrored there
      return;
    }
    for (const e of entries) {
      const child = join(path, e.name);
      if (depth < 3 && e.isDirectory()) await walk(child, `${key}${e.name}/`, depth + 1);
      else if (depth === 3 && e.isFile()) {
        // gone between the listing and the stat: not mirrored
        const st = await stat(child).catch(() => null);
        if (!st) continue;
        if (e.name.endsWith(TEMP_SUFFIX)) {
          // removed by another sweep first: gone either way
          if (st.mtimeMs < now - STALE_PARTIAL_MS) await unlink(child).catch(() => undefined);
        } else {
          out.set(`${key}${e.name}`, { path: child, size: st.size, mtimeMs: st.mtimeMs });
        }
      }
    }
  };
  for (const table of TABLE_NAMES) await walk(join(dir, table), `${table}/`, 1);
  return out;
}

/** Runs `work` over `items`, at most `limit` at a time; the first failure is thrown once all started work has settled. */
async function inPool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failure) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}
