// What commands printed, for the output search (`bird search --output`, Ctrl-Y in Ctrl-R): every
// stored output read once into memory as bytes with ASCII letters in lower case, then looked
// through with Buffer.indexOf on each key. Inline outputs come with their rows from DuckDB; blobs
// are gunzipped in this thread while DuckDB loads and reads on its own, each content once. What
// that read gives is kept in a cache (@bird/store/output-search-cache) the next search reads
// instead, with only the outputs files added since read besides.
// bench/search-output.md has the numbers (and why bytes: String#toLowerCase over 22 MB took
// longer than gunzipping it).
import type { BirdLayout } from '@bird/core';
import { listBlobRefs, unzipBlob } from '@bird/core/output-blobs';
import { OMITTED_STORAGE } from '@bird/capture/passive-outputs';
import { outputRowsOfFiles, outputSources, readOutputSearchCache, writeOutputSearchCache, type CacheFit, type CachedOutputs } from '@bird/store/output-search-cache';
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
 * Outputs files added since the cache was made that each search reads besides before one writes
 * it again: reading a capture's file costs well under a millisecond, writing the 30 MB cache of the
 * bench's 10,000 outputs took 250 ms of a 690 ms search on a busy disk.
 */
const REWRITE_AFTER_ADDED_FILES = 32;

/** The entries of outputs rows: inline texts folded here, blobs from `blobOf` (null: missing or damaged). */
function entriesOf(rows: readonly (readonly unknown[])[], blobOf: (ref: string) => Buffer | null): CachedOutputs {
  const entries: (readonly [string, Buffer])[] = [];
  let unreadable = 0;
  for (const [id, type, ref] of rows) {
    if (typeof id !== 'string' || typeof ref !== 'string' || type === OMITTED_STORAGE) continue;
    const bytes = type === 'inline' ? foldAscii(Buffer.from(ref, 'utf8')) : type === 'blob' ? blobOf(ref) : undefined;
    if (bytes === undefined) continue;
    if (bytes === null) unreadable++;
    else entries.push([id, bytes]);
  }
  return { entries, unreadable };
}

/** Every output, read from the store. */
async function readEveryOutput(ctx: CliContext, layout: BirdLayout): Promise<CachedOutputs> {
  const [rows, blobs] = await Promise.all([readOutputRows(ctx), unzipEveryBlob(layout)]);
  return entriesOf(rows, (ref) => blobs.get(ref) ?? null);
}

/** The cache with the rows of the files added since it was made; null when one of them cannot be read so (the store is read instead). */
async function withAddedFiles(layout: BirdLayout, fit: CacheFit): Promise<CachedOutputs | null> {
  let rows: unknown[][];
  try {
    rows = await outputRowsOfFiles(fit.added);
  } catch {
    // damaged, gone meanwhile (a compaction), or compressed: DuckDB reads the store, and says what is wrong
    return null;
  }
  const unzip = (ref: string) => {
    try {
      return foldAscii(unzipBlob(layout, ref));
    } catch {
      // missing, damaged, or not a blob's name: counted, the rest searched
      return null;
    }
  };
  const added = entriesOf(rows, unzip);
  return { entries: [...fit.outputs.entries, ...added.entries], unreadable: fit.outputs.unreadable + added.unreadable };
}

/**
 * Every stored output: from the cache when the outputs are as it was made for (a read of one
 * file), or from it and the outputs files added since (parquet mode's captures, read without
 * DuckDB), else from the store; the cache then written for the next search.
 */
export async function loadOutputCorpus(ctx: CliContext): Promise<OutputCorpus> {
  const layout = layoutOf(ctx);
  // Looked at before the read: outputs that change while they are read make a cache no search uses.
  const sources = outputSources(layout);
  const fit = readOutputSearchCache(layout, sources);
  if (fit !== null && fit.added.length === 0) return corpusOf(fit.outputs.entries, fit.outputs.unreadable);
  const added = fit === null ? null : await withAddedFiles(layout, fit);
  const outputs = added ?? (await readEveryOutput(ctx, layout));
  // After the answer is out (or the frame drawn): writing 30 MB is no part of this search. A few
  // files added are read again by the next search rather than the whole cache written again.
  if (added === null || fit!.added.length >= REWRITE_AFTER_ADDED_FILES) setImmediate(() => writeOutputSearchCache(layout, sources, outputs));
  return corpusOf(outputs.entries, outputs.unreadable);
}
