// What commands printed, for the output search (`bird search --output`, Ctrl-Y in Ctrl-R): every
// stored output read once into memory as bytes with ASCII letters in lower case, then looked
// through with Buffer.indexOf on each key. Inline outputs come with their rows from DuckDB; blobs
// are gunzipped on the thread pool while DuckDB loads, each content once. bench/search-output.md has the numbers
// (and why bytes: String#toLowerCase over 22 MB took longer than gunzipping it).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BirdLayout } from '@bird/core';
import { hashOfBlobRef, unzipBlob } from '@bird/core/output-blobs';
import { OMITTED_STORAGE } from '@bird/capture/passive-outputs';
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

/**
 * Every blob under db/blobs, each being unzipped (and folded) on the thread pool: started before
 * DuckDB loads, so that the two overlap. Only the blobs the outputs rows name are then used.
 */
function unzipEveryBlob(layout: BirdLayout): Map<string, Promise<Buffer | null>> {
  const blobs = new Map<string, Promise<Buffer | null>>();
  let folders: string[];
  try {
    folders = readdirSync(layout.blobs);
  } catch {
    // no blobs yet
    return blobs;
  }
  for (const folder of folders) {
    let names: string[];
    try {
      names = readdirSync(join(layout.blobs, folder));
    } catch {
      // not a folder: nothing bird wrote
      continue;
    }
    for (const name of names) {
      const ref = `${folder}/${name}`;
      // One blob missing or damaged: `bird output` says why for its command; the rest are searched.
      if (hashOfBlobRef(ref) !== null) blobs.set(ref, unzipBlob(layout, ref).then(foldAscii, () => null));
    }
  }
  return blobs;
}

export async function loadOutputCorpus(ctx: CliContext): Promise<OutputCorpus> {
  const layout = layoutOf(ctx);
  const blobs = unzipEveryBlob(layout);
  const conn = await connect(ctx, MINIMAL, { quiet: true });
  let rows: readonly (readonly unknown[])[];
  try {
    rows = (await conn.query(`SELECT invocation_id, storage_type, storage_ref FROM main.outputs WHERE storage_ref IS NOT NULL`)).rows;
  } finally {
    conn.close();
  }
  const pending: Promise<readonly [string, Buffer | null]>[] = [];
  for (const [id, type, ref] of rows) {
    if (typeof id !== 'string' || typeof ref !== 'string' || type === OMITTED_STORAGE) continue;
    if (type === 'inline') pending.push(Promise.resolve([id, foldAscii(Buffer.from(ref, 'utf8'))]));
    else if (type === 'blob') pending.push((blobs.get(ref) ?? Promise.resolve(null)).then((bytes) => [id, bytes] as const));
  }
  const read = await Promise.all(pending);
  const entries = read.filter((e): e is readonly [string, Buffer] => e[1] !== null);
  return corpusOf(entries, read.length - entries.length);
}
