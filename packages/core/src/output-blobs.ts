/**
 * What commands printed, stored once per content: `db/blobs/<2 hex>/<sha256>.gz`, the SHA-256 of
 * the bytes before compression. gzip because this Node (20) has no zstd, and against brotli it
 * measured (3 MB of `ls -lR` and of `git log -p`): gzip -6 10.4x/3.7x in 42/107 ms, brotli q6
 * 11.8x/5.1x in 82/153 ms; gzip is also what every tool on a machine can open (`zcat`).
 *
 * A blob's name is read back from rows (`storage_ref`), so it is checked before it becomes a
 * path, and its bytes are checked against their hash before they are printed.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmdirSync, unlinkSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { writeFileAtomic } from './atomic-file.ts';
import { BirdError } from './errors.ts';
import type { BirdLayout } from './paths.ts';

/** How long a `bird run` or a `bird forget` waits for the other to let go of `blobsLock`. */
export const BLOBS_LOCK_WAIT_MS = 30_000;

/** `ab/ab…(64 hex).gz`: a blob's path under `blobs`, as `storage_ref` holds it. */
const BLOB_REF = /^([0-9a-f]{2})\/(\1[0-9a-f]{62})\.gz$/;

export function contentHashOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The `storage_ref` of the blob holding bytes of this hash. */
export function blobRefOf(contentHash: string): string {
  return `${contentHash.slice(0, 2)}/${contentHash}.gz`;
}

/** The content hash a well-formed `storage_ref` names; null for anything else. */
export function hashOfBlobRef(ref: string): string | null {
  return BLOB_REF.exec(ref)?.[2] ?? null;
}

function blobPath(layout: BirdLayout, ref: string): string {
  if (hashOfBlobRef(ref) === null) throw new BirdError(`the stored output names a blob ${JSON.stringify(ref)} that is not a blob's name; the row is damaged, \`bird forget\` its command.`);
  return join(layout.blobs, ref);
}

/**
 * Stores `bytes` (whose hash is `contentHash`) unless a blob of them is there; then it is touched
 * instead, so that its age says it was referenced just now. Atomic: a reader sees the whole blob
 * or none. Returns its `storage_ref`.
 */
export function writeBlob(layout: BirdLayout, contentHash: string, bytes: Uint8Array): string {
  const ref = blobRefOf(contentHash);
  const path = blobPath(layout, ref);
  if (existsSync(path)) {
    const now = new Date();
    utimesSync(path, now, now);
    return ref;
  }
  writeFileAtomic(path, gzipSync(bytes), { tmpDir: layout.tmp });
  return ref;
}

/**
 * A blob's bytes for looking through (the output search), not checked against its hash: nothing
 * is shown from them (`readBlob` checks what is printed). Synchronous on purpose: over 1,000
 * blobs gunzipSync took 100 ms where the thread pool's gunzip took 400 ms on 2 busy cores
 * (bench/search-output.md); the caller slices the work to keep its event loop turning.
 */
export function unzipBlob(layout: BirdLayout, ref: string): Buffer {
  return gunzipSync(readFileSync(blobPath(layout, ref)));
}

export function hasBlob(layout: BirdLayout, ref: string): boolean {
  return existsSync(blobPath(layout, ref));
}

/** The bytes of a blob, checked against the hash its name carries. */
export function readBlob(layout: BirdLayout, ref: string): Buffer {
  const path = blobPath(layout, ref);
  let bytes: Buffer;
  try {
    bytes = gunzipSync(readFileSync(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new BirdError(`the output's blob ${path} is missing: a pull brings a teammate's blobs with their rows, so it was left out as damaged or missing in the lake (the pull said so), or it was deleted by hand.`);
    throw new BirdError(`cannot read the output's blob ${path} (${code ?? (error as Error).message}); it is damaged: \`bird forget\` the command.`, { cause: error });
  }
  if (contentHashOf(bytes) !== hashOfBlobRef(ref)) throw new BirdError(`the output's blob ${path} does not hold the bytes its name says; it is damaged: \`bird forget\` the command.`);
  return bytes;
}

/** Every blob's `storage_ref` under the root. */
export function listBlobRefs(layout: BirdLayout): string[] {
  const refs: string[] = [];
  let dirs: string[];
  try {
    dirs = readdirSync(layout.blobs);
  } catch {
    // no blob was ever written
    return refs;
  }
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(join(layout.blobs, dir));
    } catch {
      // not a folder: nothing bird wrote
      continue;
    }
    for (const name of names) if (hashOfBlobRef(`${dir}/${name}`) !== null) refs.push(`${dir}/${name}`);
  }
  return refs;
}

/** Deletes the blobs named (already gone is fine), and their folders once empty. */
export function deleteBlobs(layout: BirdLayout, refs: Iterable<string>): number {
  let deleted = 0;
  for (const ref of refs) {
    const path = blobPath(layout, ref);
    try {
      unlinkSync(path);
      deleted++;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    try {
      rmdirSync(dirname(path));
    } catch {
      // other blobs are still in it
    }
  }
  return deleted;
}

/** The most a blob read from a lake may hold, compressed or not: beyond any `bird run` keeps by default. */
export const LAKE_BLOB_MAX_BYTES = 256 * 1024 * 1024;

/**
 * The bytes of the gzip blob `gz`, read from elsewhere (a lake), once checked to be the blob of
 * `contentHash`: its name is 64 hex digits, and it unpacks (to at most LAKE_BLOB_MAX_BYTES) into
 * bytes of that hash. Else why not, in a few words.
 */
export function lakeBlobBytes(contentHash: string, gz: Buffer): { bytes: Buffer } | { problem: string } {
  if (hashOfBlobRef(blobRefOf(contentHash)) === null) return { problem: 'its name is not 64 hex digits' };
  let bytes: Buffer;
  try {
    bytes = gunzipSync(gz, { maxOutputLength: LAKE_BLOB_MAX_BYTES });
  } catch {
    // not gzip, cut short, or larger than the cap once unpacked: not a blob bird wrote
    return { problem: 'it is not a whole gzip file within the size cap' };
  }
  return contentHashOf(bytes) === contentHash ? { bytes } : { problem: 'its bytes do not hash to its name' };
}

/**
 * Stores a blob that came from elsewhere (a lake) as `contentHash`'s blob, once lakeBlobBytes
 * finds it sound. Atomic. Returns null when stored (or already here), else why not, in a few words.
 */
export function adoptBlob(layout: BirdLayout, contentHash: string, gz: Buffer): string | null {
  const ref = blobRefOf(contentHash);
  if (hashOfBlobRef(ref) === null) return 'its name is not 64 hex digits';
  const path = join(layout.blobs, ref);
  if (existsSync(path)) return null;
  const checked = lakeBlobBytes(contentHash, gz);
  if ('problem' in checked) return checked.problem;
  writeFileAtomic(path, gz, { tmpDir: layout.tmp });
  return null;
}
