/**
 * The blobs of remotes read live (not pulled). A folder lake's are read where they lie. An S3
 * remote's are fetched when something asks for their text. The mirror
 * (mirror.ts) copies a remote's batches, not its blobs: a blob costs a request and its bytes,
 * and most queries never read one. So blobs are fetched only when a query names the output
 * text of the remote (output-text.ts, `readsOutputText`), or `bird output` shows one of its rows.
 *
 * Kept in the mirror, at the lake's own key (`db/mirror/<name>/blobs/client=<id>/<2 hex>/<sha256>.gz`),
 * not in the store's `db/blobs`: the mirror is this machine's copy of the remote, read like a
 * folder lake, so blob_texts() finds them there with no other rule; `db/blobs` holds the blobs
 * of rows stored here, which a push uploads and a forget sweeps by those rows alone; and the copy
 * goes with the mirror (a remote removed, or pointed elsewhere), never outliving the remote.
 *
 * Everything here came from the lake: a storage_ref must be a blob's name and a batch's folder a
 * series before either makes a key or a path; an object is read only up to LAKE_BLOB_MAX_BYTES and
 * kept only when its gunzipped bytes hash to its name, so what SQL reads in the mirror was checked.
 */
import { readdirSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BirdError, makeDirs, quoteLiteral, writeFileAtomic, type BirdLayout, type RemoteConfig } from '@bird/core';
import { LAKE_BLOB_MAX_BYTES, blobRefOf, hashOfBlobRef, lakeBlobBytes } from '@bird/core/output-blobs';
import { BLOBS_PREFIX, RemoteAccessError, blobKey, createRemoteBackend, fileRemoteRoot, parseBlobKey, parseLakeKey, type RemoteBackend } from '@bird/remote';
import { mirrorDir } from './mirror.ts';

const FETCH_CONCURRENCY = 8;
let scratchCounter = 0;

/** A blob a row names: the series whose blob area holds it, and its content hash. */
export interface SeriesBlob {
  readonly client: string;
  readonly hash: string;
}

/**
 * The blobs that `outputs` rows of a lake name (pure): each row is a batch file under `root`
 * and a storage_ref. A file that is not a batch of the lake, or a ref that is not a blob's name,
 * names none. Each blob once, by its lake key.
 *
 * @example blobsNamedInLake('/m', [['/m/outputs/client=a@b/date=2024-06-01/x.parquet', 'ab/ab…(64).gz']]) // Map { 'blobs/client=a@b/ab/ab….gz' => { client: 'a@b', hash: 'ab…' } }
 */
export function blobsNamedInLake(root: string, rows: readonly (readonly [string, string])[]): Map<string, SeriesBlob> {
  const named = new Map<string, SeriesBlob>();
  for (const [file, ref] of rows) {
    const batch = parseLakeKey(relative(root, file).split('\\').join('/'));
    const hash = hashOfBlobRef(ref);
    if (batch === null || batch.table !== 'outputs' || hash === null) continue;
    let key: string;
    try {
      key = blobKey(batch.client, hash);
    } catch {
      // a series name no key may hold (parseLakeKey lets through what blobKey refuses): nothing to fetch
      continue;
    }
    named.set(key, { client: batch.client, hash });
  }
  return named;
}

/** The blob keys cached under mirror `dir` (what is not a blob's key is not counted). */
export function cachedBlobKeys(dir: string): string[] {
  const keys: string[] = [];
  const walk = (path: string, key: string, depth: number): void => {
    let names: string[];
    try {
      names = readdirSync(path);
    } catch {
      // no blob cached there yet, or not a folder
      return;
    }
    for (const name of names) {
      if (depth < 2) walk(join(path, name), `${key}${name}/`, depth + 1);
      else if (parseBlobKey(`${key}${name}`) !== null) keys.push(`${key}${name}`);
    }
  };
  walk(join(dir, BLOBS_PREFIX), BLOBS_PREFIX, 0);
  return keys;
}

/**
 * Deletes the blobs cached under mirror `dir` that no row of the remote names any more (its
 * owner forgot their commands): a forgotten command's output must not stay readable here.
 * Returns how many went.
 */
export function pruneCachedBlobs(dir: string, named: ReadonlySet<string>): number {
  let pruned = 0;
  for (const key of cachedBlobKeys(dir)) {
    if (named.has(key)) continue;
    try {
      unlinkSync(join(dir, key));
      pruned++;
    } catch {
      // gone already (another query pruned it)
    }
  }
  return pruned;
}

/** What a fetch of blobs did: how many were kept, each refused one as `key (why)`, and how many were not tried (the remote went down). */
export interface FetchedBlobs {
  readonly fetched: number;
  readonly refused: readonly string[];
  readonly notTried: number;
}

/** Failures that say the remote cannot be read at all (not this one object): the fetch stops there. */
const REMOTE_DOWN = new Set(['unreachable', 'no-store', 'denied', 'no-credentials', 'bad-config']);

/**
 * Fetches `blobs` (by lake key) from `backend` into mirror `dir`, each checked against its hash
 * before it is kept; those cached already are not asked for. One that is missing, too large or
 * damaged is refused, and the rest go on; a remote that cannot be reached at all stops the fetch
 * (each try would wait out its own timeout), and what was not tried is counted as refused.
 */
export async function fetchBlobsInto(layout: BirdLayout, backend: RemoteBackend, dir: string, blobs: ReadonlyMap<string, SeriesBlob>): Promise<FetchedBlobs> {
  const todo = [...blobs].filter(([key]) => !isFile(join(dir, key)));
  let fetched = 0;
  const refused: string[] = [];
  let next = 0;
  let down = false;
  const worker = async () => {
    while (next < todo.length && !down) {
      const [key, { hash }] = todo[next++]!;
      try {
        const problem = await fetchOne(layout, backend, key, hash, join(dir, key));
        if (problem === null) fetched++;
        else refused.push(`${key} (${problem})`);
      } catch (error) {
        down = true;
        refused.push(`${key} (${(error as Error).message.split('\n')[0]})`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(FETCH_CONCURRENCY, todo.length) }, worker));
  return { fetched, refused, notTried: todo.length - next };
}

/** Fetches one blob to `dest` once checked; null when kept, else why not. Throws when the remote cannot be read at all. */
async function fetchOne(layout: BirdLayout, backend: RemoteBackend, key: string, hash: string, dest: string): Promise<string | null> {
  makeDirs(layout.tmp);
  const scratch = join(layout.tmp, `remote-blob-${process.pid}-${scratchCounter++}.gz`);
  try {
    await backend.get(key, scratch, { maxBytes: LAKE_BLOB_MAX_BYTES });
    const gz = readFileSync(scratch);
    const checked = lakeBlobBytes(hash, gz);
    if ('problem' in checked) return checked.problem;
    // A cache: a crash that loses it costs one fetch again.
    writeFileAtomic(dest, gz, { tmpDir: layout.tmp, mode: 0o600, durable: false });
    return null;
  } catch (error) {
    if (!(error instanceof RemoteAccessError)) return (error as Error).message.split('\n')[0]!;
    if (error.failure === 'missing-object') return 'not in the lake';
    if (error.failure === 'too-large') return `larger than ${LAKE_BLOB_MAX_BYTES} bytes`;
    if (REMOTE_DOWN.has(error.failure)) throw error;
    return error.message.split('\n')[0]!;
  } finally {
    rmSync(scratch, { force: true });
  }
}

/** The one warning for blobs a query could not read from remote `name`. */
export function refusedBlobsWarning(name: string, { refused, notTried }: FetchedBlobs): string {
  const shown = refused.slice(0, 3).join(', ');
  return `remote ${name}: ${refused.length + notTried} blob(s) were refused, so their outputs read as missing: ${shown}${refused.length + notTried > 3 ? ', …' : ''}.`;
}

/**
 * The blobs that the remote's mirrored `outputs` batches `files` name, read through `query`
 * (the connection's DuckDB). When one read of them all fails (a damaged batch), each is read
 * alone, and one that cannot be read names none: the user's query skips it too, and says why.
 */
export async function blobsNamedByBatches(
  query: (sql: string) => Promise<readonly (readonly unknown[])[]>,
  root: string,
  files: readonly string[],
): Promise<Map<string, SeriesBlob>> {
  const refsOf = (some: readonly string[]) =>
    query(`SELECT DISTINCT filename, storage_ref FROM read_parquet([${some.map(quoteLiteral).join(', ')}], filename = true, union_by_name = true, hive_partitioning = false) WHERE storage_type = 'blob' AND storage_ref IS NOT NULL`);
  if (files.length === 0) return new Map();
  let rows: (readonly unknown[])[] = [];
  try {
    rows = [...(await refsOf(files))];
  } catch {
    // a damaged batch among them: the others still name their blobs
    for (const file of files) {
      try {
        rows.push(...(await refsOf([file])));
      } catch {
        // this one is damaged: it names no blob (the user's query skips it with a warning)
      }
    }
  }
  return blobsNamedInLake(root, rows.map((r) => [String(r[0]), String(r[1])] as const));
}

/**
 * Brings the blobs the remote's mirrored rows name into mirror `dir` (those not there, nor in the
 * store's own `db/blobs`), and drops the cached ones no row names. Returns whether the mirror's
 * blobs changed, and the warning for those refused, if any.
 */
export async function syncMirrorBlobs(layout: BirdLayout, config: RemoteConfig, dir: string, named: ReadonlyMap<string, SeriesBlob>): Promise<{ changed: boolean; warning: string | null }> {
  const pruned = pruneCachedBlobs(dir, new Set(named.keys()));
  const wanted = new Map([...named].filter(([, { hash }]) => !isFile(join(layout.blobs, blobRefOf(hash)))));
  if ([...wanted.keys()].every((key) => isFile(join(dir, key)))) return { changed: pruned > 0, warning: null };
  let backend: RemoteBackend;
  try {
    backend = await createRemoteBackend(config);
  } catch (error) {
    return { changed: pruned > 0, warning: `remote ${config.name}: its outputs' blobs were not fetched (${(error as Error).message.split('\n')[0]}), so their text reads as missing.` };
  }
  try {
    const result = await fetchBlobsInto(layout, backend, dir, wanted);
    return { changed: pruned > 0 || result.fetched > 0, warning: result.refused.length > 0 ? refusedBlobsWarning(config.name, result) : null };
  } finally {
    backend.close();
  }
}

/**
 * The bytes of one blob of an S3 remote read live, for `bird output`: from the mirror's copy, else
 * fetched into it (checked first). A copy that no longer checks out is fetched again.
 *
 * @throws BirdError, one sentence, when the blob cannot be had or is refused.
 */
export async function mirroredBlobBytes(layout: BirdLayout, config: RemoteConfig, dir: string, blob: SeriesBlob): Promise<Buffer> {
  const key = blobKey(blob.client, blob.hash);
  const path = join(dir, key);
  if (isFile(path)) {
    const checked = lakeBlobBytes(blob.hash, readFileSync(path));
    if ('bytes' in checked) return checked.bytes;
    rmSync(path, { force: true });
  }
  const backend = await createRemoteBackend(config);
  let result: FetchedBlobs;
  try {
    result = await fetchBlobsInto(layout, backend, dir, new Map([[key, blob]]));
  } finally {
    backend.close();
  }
  if (result.refused.length > 0) {
    throw new BirdError(`remote ${config.name}'s blob ${result.refused[0]} was refused, so this output cannot be shown: the lake's copy is damaged or gone, and only its owner (${blob.client}) holds the output.`);
  }
  const checked = lakeBlobBytes(blob.hash, readFileSync(path));
  if ('problem' in checked) throw new BirdError(`remote ${config.name}'s blob ${key} changed on disk while it was read (${checked.problem}); run the command again.`);
  return checked.bytes;
}

/**
 * The bytes of one blob of a remote read live, for `bird output`: a folder lake's read in place
 * (up to LAKE_BLOB_MAX_BYTES), an S3 remote's through its mirror (mirroredBlobBytes); checked
 * against their hash either way.
 *
 * @throws BirdError, one sentence, when the blob cannot be had or is refused.
 */
export async function liveBlobBytes(layout: BirdLayout, config: RemoteConfig, blob: SeriesBlob): Promise<Buffer> {
  let key: string;
  try {
    key = blobKey(blob.client, blob.hash);
  } catch (error) {
    throw new BirdError(`remote ${config.name}'s row names a blob no lake key can hold (${(error as Error).message}), so this output cannot be shown.`);
  }
  if (config.type === 's3') return mirroredBlobBytes(layout, config, mirrorDir(layout, config.name), blob);
  const path = join(fileRemoteRoot(config.uri, layout.root), key);
  let gz: Buffer;
  try {
    if (statSync(path).size > LAKE_BLOB_MAX_BYTES) throw new BirdError(`remote ${config.name}'s blob ${path} is larger than ${LAKE_BLOB_MAX_BYTES} bytes, so this output is not shown.`);
    gz = readFileSync(path);
  } catch (error) {
    if (error instanceof BirdError) throw error;
    throw new BirdError(`remote ${config.name}'s blob ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}), so this output cannot be shown; only its owner (${blob.client}) may still hold it.`);
  }
  const checked = lakeBlobBytes(blob.hash, gz);
  if ('problem' in checked) throw new BirdError(`remote ${config.name}'s blob ${path} was refused (${checked.problem}), so this output cannot be shown: the lake's copy is damaged, and only its owner (${blob.client}) holds the output.`);
  return checked.bytes;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    // not there (or not reachable): not cached
    return false;
  }
}
