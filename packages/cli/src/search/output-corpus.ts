// What commands printed, for the output search (`bird search --output`, Ctrl-Y in Ctrl-R): every
// stored output read once into memory as bytes with ASCII letters in lower case, then looked
// through with Buffer.indexOf on each key. Inline outputs come with their rows from DuckDB; blobs
// are gunzipped in this thread while DuckDB loads and reads on its own, each content once. What
// that read gives is kept in a cache (@bird/store/output-search-cache) the next search reads
// instead, while the outputs stay as they were.
// bench/search-output.md has the numbers (and why bytes: String#toLowerCase over 22 MB took
// longer than gunzipping it).
import type { BirdLayout } from '@bird/core';
import { listBlobRefs, unzipBlob } from '@bird/core/output-blobs';
import { OMITTED_STORAGE } from '@bird/capture/passive-outputs';
import { outputSourcesKey, readOutputSearchCache, writeOutputSearchCache } from '@bird/store/output-search-cache';
import type { CliContext } from '../context.ts';
import { layoutOf } from '../layout.ts';
import { connect, MINIMAL } from '../store-access.ts';

export interface OutputCorpus {
  /** Ids of the commands whose output holds `text` (ASCII letters in any case; every command with output for ''). */
  find(text: string): string[];
  /** Outputs that could not be read (a blob missing or damaged): left out, the rest searched. */
  readonly unreadable: number;
}

/** `bytes` with A-Z as a-z, in place (other letters keep their case: a byte loop is ~20x faster than toLowerCase here). */
export function foldAscii(bytes: Buffer): Buffer {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b >= 65 && b <= 90) bytes[i] = b | 0x20;
  }
  return bytes;
}

/** A corpus of (command id, output bytes as {@link foldAscii} leaves them) pairs. */
export function corpusOf(entries: readonly (readonly [id: string, folded: Buffer])[], unreadable = 0): OutputCorpus {
  return {
    unreadable,
    find(text) {
      const wanted = foldAscii(Buffer.from(text, 'utf8'));
      const ids = new Set<string>();
      for (const [id, output] of entries) if (!ids.has(id) && output.indexOf(wanted) >= 0) ids.add(id);
      return [...ids];
    },
  };
}

/** Blobs unzipped per turn of the event loop: ~5 ms of work, so keys still answer in Ctrl-R meanwhile. */
const BLOBS_PER_TURN = 50;

/**
 * Every blob under db/blobs unzipped and folded (null: missing or damaged), a slice per turn of
 * the event loop, while DuckDB loads and reads the rows on its own threads. Only the blobs the
 * outputs rows name are then used.
 */
async function unzipEveryBlob(layout: BirdLayout): Promise<Map<string, Buffer | null>> {
  const blobs = new Map<string, Buffer | null>();
  const refs = listBlobRefs(layout);
  for (let i = 0; i < refs.length; i++) {
    if (i > 0 && i % BLOBS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
    const ref = refs[i]!;
    try {
      blobs.set(ref, foldAscii(unzipBlob(layout, ref)));
    } catch {
      // One blob missing or damaged: `bird output` says why for its command; the rest are searched.
      blobs.set(ref, null);
    }
  }
  return blobs;
}

async function readOutputRows(ctx: CliContext): Promise<readonly (readonly unknown[])[]> {
  const conn = await connect(ctx, MINIMAL, { quiet: true });
  try {
    return (await conn.query(`SELECT invocation_id, storage_type, storage_ref FROM main.outputs WHERE storage_ref IS NOT NULL`)).rows;
  } finally {
    conn.close();
  }
}

/**
 * Every stored output, from the cache when the outputs are as it was written for (a read of one
 * file), else from the store, and the cache written for the next search.
 */
export async function loadOutputCorpus(ctx: CliContext): Promise<OutputCorpus> {
  const layout = layoutOf(ctx);
  // The key before the read: outputs that change while they are read make a cache no search uses.
  const key = outputSourcesKey(layout);
  const cached = readOutputSearchCache(layout, key);
  if (cached !== null) return corpusOf(cached.entries, cached.unreadable);
  const [rows, blobs] = await Promise.all([readOutputRows(ctx), unzipEveryBlob(layout)]);
  const entries: (readonly [string, Buffer])[] = [];
  let unreadable = 0;
  for (const [id, type, ref] of rows) {
    if (typeof id !== 'string' || typeof ref !== 'string' || type === OMITTED_STORAGE) continue;
    const bytes = type === 'inline' ? foldAscii(Buffer.from(ref, 'utf8')) : type === 'blob' ? (blobs.get(ref) ?? null) : undefined;
    if (bytes === undefined) continue;
    if (bytes === null) unreadable++;
    else entries.push([id, bytes]);
  }
  // After the answer is out (or the frame drawn): writing 30 MB is no part of this search.
  setImmediate(() => writeOutputSearchCache(layout, key, { entries, unreadable }));
  return corpusOf(entries, unreadable);
}
