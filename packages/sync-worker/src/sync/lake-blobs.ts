// What commands printed travels with the `outputs` rows that name it: a push uploads a series'
// blobs to `blobs/client=<id>/` before the batch that names them, a pull fetches the ones it has
// not (eagerly: LAKE.md, "Blobs"), and the push that carries a forget deletes the series' blobs
// that no pushed row names any more. PROTOCOL.md, "Push" and "Pull".
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import PQueue from 'p-queue';
import { forgotten, quoteLiteral, writeFileAtomic, type BirdLayout } from '@bird/core';
import { LAKE_BLOB_MAX_BYTES, adoptBlob, blobRefOf, hashOfBlobRef } from '@bird/core/output-blobs';
import { RemoteAccessError, blobKey, seriesBlobPrefix, type RemoteBackend } from '@bird/remote';
import type { BirdConnection } from '@bird/store';
import { readLineSet, seriesLedgerFiles, type SeriesPaths } from './sync-state.ts';
import { forgottenIdsSql } from './push-forgets.ts';
import { TRANSFER_CONCURRENCY, type SeriesContext } from './series-rebuild.ts';

/** The content hashes of the blobs that rows of `outputs` batch files name (a malformed name is none). */
export async function blobsNamedBy(conn: Pick<BirdConnection, 'query'>, files: readonly string[]): Promise<string[]> {
  if (files.length === 0) return [];
  const read = `read_parquet([${files.map(quoteLiteral).join(', ')}], union_by_name = true, hive_partitioning = false)`;
  const { rows } = await conn.query(`SELECT DISTINCT storage_ref FROM ${read} WHERE storage_type = 'blob' AND storage_ref IS NOT NULL ORDER BY 1`);
  return rows.map((r) => hashOfBlobRef(String(r[0]))).filter((h): h is string => h !== null);
}

/**
 * Uploads the blobs the staged `outputs` batches `files` name into `client`'s blob folder, unless
 * a listing of it says they are there: same names, same bytes, so a retry writes the same objects.
 * Returns the objects and bytes sent.
 */
export async function uploadBlobs(ctx: SeriesContext, client: string, files: readonly string[]): Promise<{ objects: number; bytes: number }> {
  return uploadBlobHashes(ctx, client, await blobsNamedBy(ctx.conn, files));
}

/** The blobs of `hashes` the series' blob folder lacks, uploaded from this store (one listing of the folder). */
async function uploadBlobHashes(ctx: SeriesContext, client: string, hashes: readonly string[]): Promise<{ objects: number; bytes: number }> {
  if (hashes.length === 0) return { objects: 0, bytes: 0 };
  const there = new Set((await ctx.backend.list(seriesBlobPrefix(client))).map((o) => o.key));
  const queue = new PQueue({ concurrency: TRANSFER_CONCURRENCY });
  let objects = 0;
  let bytes = 0;
  const absent: string[] = [];
  await Promise.all(
    hashes.map((hash) =>
      queue.add(async () => {
        const key = blobKey(client, hash);
        if (there.has(key)) return;
        const local = join(ctx.layout.blobs, blobRefOf(hash));
        if (!existsSync(local)) {
          absent.push(hash);
          return;
        }
        await ctx.backend.put(key, local);
        objects++;
        bytes += readFileSync(local).length;
      }),
    ),
  );
  if (absent.length > 0) ctx.warn(`remote ${ctx.remote.name}: ${absent.length} blob(s) of series ${client}'s outputs are not in this store (deleted by hand?), e.g. ${absent[0]}; their rows are pushed without them.`);
  return { objects, bytes };
}

/** True until backfillBlobs has run for the series: a push then has work for it, new rows or not. */
export function backfillDue(series: SeriesPaths): boolean {
  return !existsSync(series.blobsBackfilled);
}

/**
 * Once per series and lake: uploads the blobs that outputs rows already pushed name and the lake
 * lacks, as a bird from before blobs travelled pushed them (its rows went, its blobs did not).
 * The pushed rows are those the series' ledger holds, their blobs read from the rows stored here;
 * one listing of the series' blob folder says which are missing. Done when `series.blobsBackfilled`
 * is written, after every upload: a push killed before that does it again, and finds them there.
 */
export async function backfillBlobs(ctx: SeriesContext, series: SeriesPaths): Promise<{ objects: number; bytes: number }> {
  if (!backfillDue(series)) return { objects: 0, bytes: 0 };
  const files = seriesLedgerFiles(series, 'outputs');
  let sent = { objects: 0, bytes: 0 };
  if (files.length > 0) {
    const pushed = `SELECT "key" FROM read_parquet([${files.map(quoteLiteral).join(', ')}], union_by_name = true)`;
    const { rows } = await ctx.conn.query(`SELECT DISTINCT storage_ref FROM local.outputs WHERE storage_type = 'blob' AND storage_ref IS NOT NULL AND CAST(id AS VARCHAR) IN (${pushed}) ORDER BY 1`);
    sent = await uploadBlobHashes(ctx, series.client, rows.map((r) => hashOfBlobRef(String(r[0]))).filter((h): h is string => h !== null));
  }
  writeFileAtomic(series.blobsBackfilled, `${new Date().toISOString()}\n`, { mode: 0o600 });
  return sent;
}

/**
 * Fetches the blobs that the pulled `outputs` batches name and this store lacks, each from its
 * series' blob folder: capped in size, its gunzipped bytes checked against its name, written
 * atomically. One that fails is named once and left out; the rest go on.
 */
export async function fetchBlobs(
  layout: BirdLayout,
  conn: Pick<BirdConnection, 'query'>,
  backend: RemoteBackend,
  batches: readonly { client: string; file: string }[],
  scratch: string,
  warn: (message: string) => void,
): Promise<{ objects: number; bytes: number }> {
  const wanted = new Map<string, string>();
  for (const { client, file } of batches) {
    for (const hash of await blobsNamedBy(conn, [file])) {
      if (!existsSync(join(layout.blobs, blobRefOf(hash)))) wanted.set(blobKey(client, hash), hash);
    }
  }
  const queue = new PQueue({ concurrency: TRANSFER_CONCURRENCY });
  let objects = 0;
  let bytes = 0;
  const bad: string[] = [];
  await Promise.all(
    [...wanted].map(([key, hash], i) =>
      queue.add(async () => {
        const dest = join(scratch, `blob-${i}.gz`);
        try {
          const size = await backend.get(key, dest, { maxBytes: LAKE_BLOB_MAX_BYTES });
          const problem = adoptBlob(layout, hash, readFileSync(dest));
          if (problem !== null) bad.push(`${key} (${problem})`);
          else {
            objects++;
            bytes += size;
          }
        } catch (error) {
          if (!(error instanceof RemoteAccessError && (error.failure === 'missing-object' || error.failure === 'too-large'))) throw error;
          bad.push(`${key} (${error.failure === 'missing-object' ? 'not in the lake' : 'larger than the cap'})`);
        } finally {
          rmSync(dest, { force: true });
        }
      }),
    ),
  );
  if (bad.length > 0) warn(`${bad.length} blob(s) were left out, so \`bird output\` says those outputs are missing: ${bad.slice(0, 3).join(', ')}${bad.length > 3 ? ', …' : ''}.`);
  return { objects, bytes };
}

/**
 * After a push that carries a forget: deletes from the series' blob folder each blob that a pushed
 * `outputs` row of a forgotten command named and no pushed row of a command still kept names (the
 * ledger knows both). Deleting what is gone changes nothing, so a retry after a kill does it again.
 */
export async function deleteForgottenBlobs(ctx: SeriesContext, series: SeriesPaths): Promise<number> {
  const files = seriesLedgerFiles(series, 'outputs');
  if (files.length === 0) return 0;
  const read = `read_parquet([${files.map(quoteLiteral).join(', ')}], union_by_name = true)`;
  const columns = new Set((await ctx.conn.query(`DESCRIBE SELECT * FROM ${read}`)).rows.map((r) => String(r[0])));
  if (!columns.has('blob') || !columns.has('invocation')) return 0; // pushed by a bird before blobs travelled
  const ids = forgotten(ctx.layout).all.filter((t) => t.series === series.client).map((t) => t.id);
  if (ids.length === 0) return 0;
  const gone = forgottenIdsSql(ctx, series, ids);
  const named = `(SELECT * FROM ${read} WHERE "blob" IS NOT NULL)`;
  const { rows } = await ctx.conn.query(`SELECT "blob" FROM ${named} WHERE "invocation" IN ${gone} EXCEPT SELECT "blob" FROM ${named} WHERE "invocation" IS NULL OR "invocation" NOT IN ${gone}`);
  return removeSeriesBlobs(ctx, series, rows.map((r) => String(r[0])));
}

/** Deletes the blobs `refs` (storage_refs; a malformed one is skipped) from the series' blob folder; returns how many were asked to go. */
async function removeSeriesBlobs(ctx: SeriesContext, series: SeriesPaths, refs: readonly string[]): Promise<number> {
  let deleted = 0;
  for (const ref of refs) {
    const hash = hashOfBlobRef(ref);
    if (hash === null) continue;
    await ctx.backend.remove(blobKey(series.client, hash));
    deleted++;
  }
  return deleted;
}

/**
 * After a push that carries a range forget (`before`): deletes from the series' blob folder each
 * blob that pushed `outputs` rows name only in batches now gone (of days before the cutoff's,
 * deleted by deleteBatchesBefore; or withdrawn, as the cutoff day's are when written again), and
 * no row of a batch still in the lake names. A row the ledger places in no batch (an older bird's)
 * counts as kept. Deleting what is gone changes nothing, so a retry after a kill does it again.
 */
export async function deleteRangeForgottenBlobs(ctx: SeriesContext, series: SeriesPaths, before: string): Promise<number> {
  const files = seriesLedgerFiles(series, 'outputs');
  if (files.length === 0) return 0;
  const read = `read_parquet([${files.map(quoteLiteral).join(', ')}], union_by_name = true)`;
  const columns = new Set((await ctx.conn.query(`DESCRIBE SELECT * FROM ${read}`)).rows.map((r) => String(r[0])));
  if (!columns.has('blob') || !columns.has('batch')) return 0; // pushed by a bird before blobs travelled
  const withdrawn = [...readLineSet(series.withdrawn)];
  const day = quoteLiteral(before.slice(0, 10));
  const batchDay = `regexp_extract("batch", '/date=([0-9]{4}-[0-9]{2}-[0-9]{2})/', 1)`;
  const gone = `("batch" IS NOT NULL AND (${batchDay} < ${day}${withdrawn.length > 0 ? ` OR "batch" IN (${withdrawn.map(quoteLiteral).join(', ')})` : ''}))`;
  const named = `(SELECT * FROM ${read} WHERE "blob" IS NOT NULL)`;
  const { rows } = await ctx.conn.query(`SELECT "blob" FROM ${named} WHERE ${gone} EXCEPT SELECT "blob" FROM ${named} WHERE NOT ${gone}`);
  return removeSeriesBlobs(ctx, series, rows.map((r) => String(r[0])));
}
