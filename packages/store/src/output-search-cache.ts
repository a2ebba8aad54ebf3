/**
 * The output search's cache (`db/output-search.cache`): what every stored output holds, as the
 * search looks through it (folded bytes, see cli's output-corpus.ts), so that a search reads one
 * file instead of loading DuckDB and gunzipping every blob (bench/search-output.md).
 *
 * It is a second copy of what commands printed, so it is kept on a short leash:
 *   - it records what it was made from: the identity (inode, size, modification and change
 *     times) of the catalog and its WAL, of duckdb mode's spilled rows, of each blob folder, and
 *     of every outputs Parquet file here and in every remote's cache. It is used whole only when
 *     all of them are as they were; when the only change is outputs files added (parquet mode's
 *     captures) and it holds no unreadable output, it is used with the added files' rows read
 *     (without DuckDB); anything else, and it is rebuilt from the store;
 *   - every removal (forget, redact, retention, a pulled forget) deletes it before and after it
 *     writes, so a forgotten or redacted output does not stay on disk in it either;
 *   - it is read as untrusted: a file that is not whole and well formed is rebuilt, never an error;
 *   - past MAX_CACHE_BYTES of text it is not written (the search reads the store each time).
 * Loads no DuckDB.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, type BirdLayout } from '@bird/core';
import { localTableDir } from './layout.ts';

/** The texts a cache holds at most; the search's memory holds as much (10,000 build logs: 30 MB). */
export const MAX_CACHE_BYTES = 64 * 1024 * 1024;
const MAGIC = Buffer.from('BIRDOSC2');
const KEY_BYTES = 32;
/** Longer than any id bird writes or imports (a UUID is 36 characters). */
const MAX_ID_BYTES = 1024;

/** What the cache holds: each command id with the folded text of one of its outputs, and how many outputs could not be read. */
export interface CachedOutputs {
  readonly entries: readonly (readonly [id: string, folded: Buffer])[];
  readonly unreadable: number;
}

/** `<path>\0<inode size mtime ctime>`: a file rewritten in place, or replaced by another, is another identity. */
function identity(path: string): string {
  let s;
  try {
    s = statSync(path, { throwIfNoEntry: false, bigint: true });
  } catch (error) {
    // cannot be looked at (permissions): an identity no cache was made with, so the store is read
    return `${path}\0${(error as NodeJS.ErrnoException).code ?? 'unreadable'} ${process.pid} ${process.hrtime.bigint()}`;
  }
  return s === undefined ? `${path}\0-` : `${path}\0${s.ino} ${s.size} ${s.mtimeNs} ${s.ctimeNs}`;
}

function names(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    // not there (yet): nothing read from it
    return [];
  }
}

/** Every file under `dir` (any depth), by identity: a file added, removed or rewritten changes the list. */
function identitiesUnder(dir: string, out: string[]): void {
  for (const name of names(dir)) {
    const path = join(dir, name);
    let folder = false;
    try {
      folder = statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
    } catch {
      // looked at as a file below, which says it cannot be
    }
    if (folder) identitiesUnder(path, out);
    else out.push(identity(path));
  }
}

/** What the outputs are read from, as it is now (see the module comment). */
export interface OutputSources {
  /** The catalog, its WAL and spilled rows: any change, and no part of the cache is used. */
  readonly fixed: Buffer;
  /** Each blob folder: a blob written or deleted changes its folder's modification time. */
  readonly blobs: Buffer;
  /** Each outputs Parquet file as `<path>\0<identity>`, sorted. */
  readonly files: readonly string[];
}

const hash = (parts: readonly string[]) => createHash('sha256').update(parts.join('\n')).digest();

export function outputSources(layout: BirdLayout): OutputSources {
  const fixed = [identity(layout.catalog), identity(`${layout.catalog}.wal`)];
  identitiesUnder(layout.spill, fixed);
  const files: string[] = [];
  identitiesUnder(localTableDir(layout, 'outputs'), files);
  for (const remote of names(layout.cachedData)) identitiesUnder(join(layout.cachedData, remote, 'outputs'), files);
  const blobs = names(layout.blobs).map((folder) => identity(join(layout.blobs, folder)));
  return { fixed: hash(fixed), blobs: hash(blobs), files: files.sort() };
}

/** The cache as read back: what it was made from, and what it holds. */
export interface ParsedCache {
  readonly fixed: Buffer;
  readonly blobs: Buffer;
  readonly files: readonly string[];
  readonly outputs: CachedOutputs;
}

/** How far the cache answers for the outputs now: whole, or but for the rows of `added` (paths of outputs files). */
export type CacheFit = { readonly outputs: CachedOutputs; readonly added: readonly string[] };

/**
 * What of the cache serves the outputs as they are now (see the module comment); null when
 * nothing does. Pure: decided from the cache and the sources alone.
 */
export function cacheFit(cache: ParsedCache, now: OutputSources): CacheFit | null {
  if (!cache.fixed.equals(now.fixed)) return null;
  const sameFiles = cache.files.length === now.files.length && cache.files.every((f, i) => f === now.files[i]);
  if (sameFiles && cache.blobs.equals(now.blobs)) return { outputs: cache.outputs, added: [] };
  // A blob that could not be read may be there now; a file gone or rewritten may have taken rows.
  if (cache.outputs.unreadable > 0) return null;
  const current = new Set(now.files);
  if (!cache.files.every((f) => current.has(f))) return null;
  const had = new Set(cache.files);
  return { outputs: cache.outputs, added: now.files.filter((f) => !had.has(f)).map((f) => f.slice(0, f.indexOf('\0'))) };
}

/** The cache and how far it serves the outputs now; null when it does not, or is not whole and well formed (it is then rebuilt). */
export function readOutputSearchCache(layout: BirdLayout, now: OutputSources): CacheFit | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(layout.outputSearchCache);
  } catch {
    // none yet, or unreadable: rebuilt
    return null;
  }
  const cache = parseCache(bytes);
  return cache === null ? null : cacheFit(cache, now);
}

/** The cache's bytes read back, or null for anything that is not exactly a cache. */
export function parseCache(bytes: Buffer): ParsedCache | null {
  let at = 0;
  const take = (n: number): Buffer | null => {
    if (n < 0 || at + n > bytes.length) return null;
    const part = bytes.subarray(at, at + n);
    at += n;
    return part;
  };
  const u32 = (): number | null => {
    const part = take(4);
    return part === null ? null : part.readUInt32LE(0);
  };
  if (!take(MAGIC.length)?.equals(MAGIC)) return null;
  const fixed = take(KEY_BYTES);
  const blobs = take(KEY_BYTES);
  const fileCount = u32();
  if (fixed === null || blobs === null || fileCount === null) return null;
  const files: string[] = [];
  for (let i = 0; i < fileCount; i++) {
    const length = u32();
    const file = length === null ? null : take(length);
    if (file === null) return null;
    files.push(file.toString('utf8'));
  }
  const unreadable = u32();
  const textCount = u32();
  if (unreadable === null || textCount === null) return null;
  const texts: Buffer[] = [];
  for (let i = 0; i < textCount; i++) {
    const length = u32();
    const text = length === null ? null : take(length);
    if (text === null) return null;
    texts.push(text);
  }
  const entryCount = u32();
  if (entryCount === null) return null;
  const entries: (readonly [string, Buffer])[] = [];
  for (let i = 0; i < entryCount; i++) {
    const idLength = u32();
    if (idLength === null || idLength === 0 || idLength > MAX_ID_BYTES) return null;
    const id = take(idLength);
    const text = u32();
    if (id === null || text === null || text >= texts.length) return null;
    entries.push([id.toString('utf8'), texts[text]!]);
  }
  return at === bytes.length ? { fixed, blobs, files, outputs: { entries, unreadable } } : null;
}

/** The cache's bytes; each text once however many entries share it. Null past MAX_CACHE_BYTES. */
export function formatCache(sources: OutputSources, outputs: CachedOutputs): Buffer | null {
  // Sized first, then written into one buffer: a buffer per field made this ~5x slower (30 MB, 10,000 outputs).
  const textIndex = new Map<Buffer, number>();
  const ids: (Buffer | null)[] = [];
  const files = sources.files.map((f) => Buffer.from(f, 'utf8'));
  let size = MAGIC.length + 2 * KEY_BYTES + 4 + files.reduce((n, f) => n + 4 + f.length, 0) + 12;
  let textBytes = 0;
  for (const [id, text] of outputs.entries) {
    if (!textIndex.has(text)) {
      textIndex.set(text, textIndex.size);
      textBytes += text.length;
      if (textBytes > MAX_CACHE_BYTES) return null;
      size += 4 + text.length;
    }
    const idBytes = Buffer.from(id, 'utf8');
    const fits = idBytes.length > 0 && idBytes.length <= MAX_ID_BYTES;
    ids.push(fits ? idBytes : null);
    if (fits) size += 8 + idBytes.length;
  }
  const out = Buffer.allocUnsafe(size);
  let at = MAGIC.copy(out, 0);
  at += sources.fixed.copy(out, at, 0, KEY_BYTES);
  at += sources.blobs.copy(out, at, 0, KEY_BYTES);
  at = out.writeUInt32LE(files.length, at);
  for (const file of files) {
    at = out.writeUInt32LE(file.length, at);
    at += file.copy(out, at);
  }
  at = out.writeUInt32LE(outputs.unreadable, at);
  at = out.writeUInt32LE(textIndex.size, at);
  for (const text of textIndex.keys()) {
    at = out.writeUInt32LE(text.length, at);
    at += text.copy(out, at);
  }
  at = out.writeUInt32LE(ids.filter((id) => id !== null).length, at);
  outputs.entries.forEach(([, text], i) => {
    const id = ids[i];
    if (!id) return;
    at = out.writeUInt32LE(id.length, at);
    at += id.copy(out, at);
    at = out.writeUInt32LE(textIndex.get(text)!, at);
  });
  return out;
}

/**
 * Writes the cache for the outputs read from `sources`. When they changed meanwhile (a forget
 * while the search read), the cache it wrote is deleted again: it may hold what was forgotten.
 * A cache that cannot be written is no failure (the search read the store, and will again).
 */
export function writeOutputSearchCache(layout: BirdLayout, sources: OutputSources, outputs: CachedOutputs): void {
  const bytes = formatCache(sources, outputs);
  if (bytes === null) {
    discardOutputSearchCache(layout);
    return;
  }
  try {
    writeFileAtomic(layout.outputSearchCache, bytes, { tmpDir: layout.tmp, durable: false });
  } catch {
    // a full disk, a read-only store: the next search reads the store again
    return;
  }
  const now = outputSources(layout);
  const same = now.fixed.equals(sources.fixed) && now.blobs.equals(sources.blobs) && now.files.join('\n') === sources.files.join('\n');
  if (!same) discardOutputSearchCache(layout);
}

/**
 * The outputs rows of these Parquet files (a capture's, written uncompressed), read without
 * DuckDB: `[invocation_id, storage_type, storage_ref]` each. Throws for a file hyparquet cannot
 * read (damaged, gone, or compressed in a way it does not know): the caller then reads the store.
 */
export async function outputRowsOfFiles(paths: readonly string[]): Promise<unknown[][]> {
  if (paths.length === 0) return [];
  const { parquetReadObjects } = await import('hyparquet');
  const rows: unknown[][] = [];
  for (const path of paths) {
    const bytes = readFileSync(path);
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    for (const row of await parquetReadObjects({ file, columns: ['invocation_id', 'storage_type', 'storage_ref'] })) {
      rows.push([row.invocation_id, row.storage_type, row.storage_ref]);
    }
  }
  return rows;
}

/**
 * Deletes the cache (gone already is fine): what every removal of rows calls, before and after.
 * Something else in its place (a folder) is not bird's: left alone, and never read as a cache.
 */
export function discardOutputSearchCache(layout: BirdLayout): void {
  try {
    rmSync(layout.outputSearchCache, { force: true });
  } catch {
    // not a file: nothing of ours to delete
  }
}
