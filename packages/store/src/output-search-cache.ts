/**
 * The output search's cache (`db/output-search.cache`): what every stored output holds, as the
 * search looks through it (folded bytes, see cli's output-corpus.ts), so that a search reads one
 * file instead of loading DuckDB and gunzipping every blob (bench/search-output.md).
 *
 * It is a second copy of what commands printed, so it is kept on a short leash:
 *   - it is used only when the store's outputs are as they were when it was written: its key is
 *     a hash of the identity (inode, size, modification time) of every file the outputs are read
 *     from (the catalog and its WAL, each outputs Parquet file here and in every remote's cache,
 *     duckdb mode's spilled rows) and of each blob folder; anything else, and it is rebuilt;
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
const MAGIC = Buffer.from('BIRDOSC1');
const KEY_BYTES = 32;
/** Longer than any id bird writes or imports (a UUID is 36 characters). */
const MAX_ID_BYTES = 1024;

/** What the cache holds: each command id with the folded text of one of its outputs, and how many outputs could not be read. */
export interface CachedOutputs {
  readonly entries: readonly (readonly [id: string, folded: Buffer])[];
  readonly unreadable: number;
}

function identity(path: string): string {
  let s;
  try {
    s = statSync(path, { throwIfNoEntry: false, bigint: true });
  } catch (error) {
    // cannot be looked at (permissions): a key no cache was written for, so the store is read
    return `${path} ${(error as NodeJS.ErrnoException).code ?? 'unreadable'} ${process.pid} ${Date.now()}`;
  }
  return s === undefined ? `${path} -` : `${path} ${s.ino} ${s.size} ${s.mtimeNs} ${s.ctimeNs}`;
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

/**
 * The key of the outputs as they are now (see the module comment). Blob folders count by their
 * own identity: a blob written or deleted changes its folder's modification time.
 */
export function outputSourcesKey(layout: BirdLayout): Buffer {
  const parts = [identity(layout.catalog), identity(`${layout.catalog}.wal`)];
  identitiesUnder(localTableDir(layout, 'outputs'), parts);
  for (const remote of names(layout.cachedData)) identitiesUnder(join(layout.cachedData, remote, 'outputs'), parts);
  identitiesUnder(layout.spill, parts);
  for (const folder of names(layout.blobs)) parts.push(identity(join(layout.blobs, folder)));
  return createHash('sha256').update(parts.join('\n')).digest();
}

/** The cache, when it is whole, well formed and made for `key`; else null (it is then rebuilt). */
export function readOutputSearchCache(layout: BirdLayout, key: Buffer): CachedOutputs | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(layout.outputSearchCache);
  } catch {
    // none yet, or unreadable: rebuilt
    return null;
  }
  return parseCache(bytes, key);
}

/** The cache's bytes read back, or null for anything that is not exactly a cache made for `key`. */
export function parseCache(bytes: Buffer, key: Buffer): CachedOutputs | null {
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
  if (!take(MAGIC.length)?.equals(MAGIC) || !take(KEY_BYTES)?.equals(key)) return null;
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
  return at === bytes.length ? { entries, unreadable } : null;
}

/** The cache's bytes; each text once however many entries share it. Null past MAX_CACHE_BYTES. */
export function formatCache(key: Buffer, outputs: CachedOutputs): Buffer | null {
  // Sized first, then written into one buffer: a buffer per field made this ~5x slower (30 MB, 10,000 outputs).
  const textIndex = new Map<Buffer, number>();
  const ids: (Buffer | null)[] = [];
  let size = MAGIC.length + KEY_BYTES + 12;
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
  at += key.copy(out, at, 0, KEY_BYTES);
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
 * Writes the cache for the outputs read under `key`. When the outputs changed meanwhile (a forget
 * while the search read), the cache it wrote is deleted again: it may hold what was forgotten.
 * A cache that cannot be written is no failure (the search read the store, and will again).
 */
export function writeOutputSearchCache(layout: BirdLayout, key: Buffer, outputs: CachedOutputs): void {
  const bytes = formatCache(key, outputs);
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
  if (!outputSourcesKey(layout).equals(key)) discardOutputSearchCache(layout);
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
