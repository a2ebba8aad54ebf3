/**
 * The push ledger: the keys of every row this store pushed to a remote, one small Parquet file
 * per push (`series/<client>/pushed/<table>/<seq>.parquet`), merged past a few dozen. A row whose
 * key is on any of the remote's ledgers is not pushed again.
 */
import { existsSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ROW_KEY, TABLE_NAMES, quoteIdent, quoteLiteral, writeFileAtomicWith, type TableName } from '@bird/core';
import type { BirdConnection } from '@bird/store';
import { remoteLedgerFiles, seriesLedgerFiles, type SeriesPaths, type SeriesState, type SyncPaths } from './sync-state.ts';

/** The name of the column that says which series a row belongs to, in the SQL below. */
export const CLIENT_COLUMN = '__bird_client';

/**
 * Rows of `local.<table>` not yet pushed to this remote, with the client id of the series each
 * belongs to (`__bird_client`): its own `client_id`, or for a table without one, its command's
 * (`fallbackClient` when the command is not stored here). One row per key. NULL-safe: the
 * ledger is joined with NOT EXISTS, never `NOT IN`, so no key, NULL or not, hides other rows.
 */
export function unpushedRowsSql(paths: SyncPaths, table: TableName, fallbackClient: string, since?: string): string {
  const key = quoteIdent(ROW_KEY[table]);
  const ledger = remoteLedgerFiles(paths, table);
  const notPushed = ledger.length === 0 ? 'true' : `NOT EXISTS (SELECT 1 FROM read_parquet([${ledger.map(quoteLiteral).join(', ')}], union_by_name = true) l WHERE l."key" = CAST(t.${key} AS VARCHAR))`;
  const sinceClause = since ? ` AND t."date" >= DATE ${quoteLiteral(since)}` : '';
  const hasClient = table === 'invocations' || table === 'sessions';
  const from = hasClient
    ? `SELECT t.*, t.client_id AS ${CLIENT_COLUMN} FROM local.${quoteIdent(table)} t`
    : `SELECT t.*, coalesce(i.client_id, ${quoteLiteral(fallbackClient)}) AS ${CLIENT_COLUMN} FROM local.${quoteIdent(table)} t LEFT JOIN (SELECT id, any_value(client_id) AS client_id FROM local.invocations GROUP BY id) i ON i.id = t.invocation_id`;
  return `SELECT * FROM (${from}) t WHERE ${notPushed}${sinceClause} QUALIFY row_number() OVER (PARTITION BY t.${key} ORDER BY t.${key}) = 1`;
}

/** Writes `pushed/<table>/<name>.parquet` from a query of keys, atomically (a crash leaves it whole or absent). */
export async function writeLedger(conn: BirdConnection, series: SeriesPaths, table: TableName, name: string, keysSql: string): Promise<void> {
  await writeFileAtomicWith(join(series.pushed, table, `${name}.parquet`), async (tmp) => {
    await conn.query(`COPY (${keysSql}) TO ${quoteLiteral(tmp)} (FORMAT parquet)`);
  });
}

/** A batch file here, and the lake key it is (or will be) stored at. */
export interface BatchFile {
  readonly path: string;
  readonly key: string;
}

/**
 * The keys of `files` (batches of `table`) onto the series' ledger, as file `name`, each with the
 * lake key of the batch that holds it (`batch`): what a forget needs to find the batches to write
 * again. Ledgers of older birds have no `batch` (read as NULL).
 */
export async function ledgerFromBatches(conn: BirdConnection, series: SeriesPaths, table: TableName, name: string, files: readonly BatchFile[], seq: number | null = null): Promise<void> {
  if (files.length === 0) return;
  // `seq`: the segment that listed the batch (null when not known, as after a rebuild): a merge of
  // batches says the highest, so pullers past it skip the merged batch (LAKE.md, "Compaction").
  const seqSql = seq === null ? 'NULL::BIGINT' : `${Math.trunc(seq)}::BIGINT`;
  // An output's row also notes its command and its blob: what a forget needs to know which of the
  // series' blobs in the lake no pushed row names any more (lake-blobs.ts), and which batches hold
  // what the command printed. An event's notes its command for the second reason.
  const outputs =
    table === 'outputs'
      ? `, CAST(invocation_id AS VARCHAR) AS "invocation", CASE WHEN storage_type = 'blob' THEN storage_ref END AS "blob"`
      : table === 'events'
        ? `, CAST(invocation_id AS VARCHAR) AS "invocation"`
        : '';
  const parts = files.map((f) => `SELECT CAST(${quoteIdent(ROW_KEY[table])} AS VARCHAR) AS "key", ${quoteLiteral(f.key)} AS "batch", ${seqSql} AS "seq"${outputs} FROM read_parquet(${quoteLiteral(f.path)}, hive_partitioning = false)`);
  await writeLedger(conn, series, table, name, parts.join(' UNION ALL '));
}

/** The lake keys of the series' batches that hold any of `ids` (of `table`), as the ledger knows them, and the ids it knows no batch of. */
export async function batchesHolding(conn: BirdConnection, series: SeriesPaths, table: TableName, ids: readonly string[]): Promise<{ batches: string[]; unplaced: string[] }> {
  const files = seriesLedgerFiles(series, table);
  if (files.length === 0 || ids.length === 0) return { batches: [], unplaced: [] };
  const list = `read_parquet([${files.map(quoteLiteral).join(', ')}], union_by_name = true)`;
  const wanted = ids.map(quoteLiteral).join(', ');
  const held = await conn.query(`SELECT DISTINCT "batch" FROM ${list} WHERE "key" IN (${wanted}) AND "batch" IS NOT NULL ORDER BY 1`);
  const unplaced = await conn.query(`SELECT DISTINCT "key" FROM ${list} WHERE "key" IN (${wanted}) GROUP BY "key" HAVING count("batch") = 0 ORDER BY 1`);
  return { batches: held.rows.map((r) => String(r[0])), unplaced: unplaced.rows.map((r) => String(r[0])) };
}

/**
 * The lake keys of the series' `table` batches (outputs or events) holding a row of any of the
 * commands `ids`, as the ledger knows them (it notes each pushed row's `invocation`; ledgers of
 * birds before that know none, and none is returned).
 */
export async function batchesHangingOff(conn: BirdConnection, series: SeriesPaths, table: 'outputs' | 'events', ids: readonly string[]): Promise<string[]> {
  const files = seriesLedgerFiles(series, table);
  if (files.length === 0 || ids.length === 0) return [];
  const list = `read_parquet([${files.map(quoteLiteral).join(', ')}], union_by_name = true)`;
  const columns = new Set((await conn.query(`DESCRIBE SELECT * FROM ${list}`)).rows.map((r) => String(r[0])));
  if (!columns.has('invocation') || !columns.has('batch')) return [];
  const held = await conn.query(`SELECT DISTINCT "batch" FROM ${list} WHERE "invocation" IN (${ids.map(quoteLiteral).join(', ')}) AND "batch" IS NOT NULL ORDER BY 1`);
  return held.rows.map((r) => String(r[0]));
}

/** A batch of the series as its ledger knows it: its rows pushed, and the segment that listed it (null: not known). */
export interface LedgerBatch {
  readonly key: string;
  readonly rows: number;
  readonly seq: number | null;
}

/** Every batch the series' ledger of `table` names (withdrawn ones too: the caller takes those out). */
export async function ledgerBatches(conn: BirdConnection, series: SeriesPaths, table: TableName): Promise<LedgerBatch[]> {
  const files = seriesLedgerFiles(series, table);
  if (files.length === 0) return [];
  const read = `read_parquet([${files.map(quoteLiteral).join(', ')}], union_by_name = true)`;
  const columns = new Set((await conn.query(`DESCRIBE SELECT * FROM ${read}`)).rows.map((r) => String(r[0])));
  if (!columns.has('batch')) return [];
  const seq = columns.has('seq') ? 'max("seq")' : 'NULL';
  const unknown = columns.has('seq') ? 'bool_or("seq" IS NULL)' : 'true';
  const result = await conn.query(`SELECT "batch", count(DISTINCT "key"), ${seq}, ${unknown} FROM ${read} WHERE "batch" IS NOT NULL GROUP BY 1 ORDER BY 1`);
  return result.rows.map((r) => ({ key: String(r[0]), rows: Number(r[1]), seq: r[3] === true || r[2] === null ? null : Number(r[2]) }));
}

/** Takes push `seq` off the ledger: its segment was overwritten by another writer, so its rows are not in the lake's index. */
export function uncommitLedger(series: SeriesPaths, seq: number): void {
  for (const table of TABLE_NAMES) rmSync(join(series.pushed, table, `${seq}.parquet`), { force: true });
}

/** Empties the series' ledger (before it is rebuilt whole from the lake). */
export function clearLedger(series: SeriesPaths): void {
  rmSync(series.pushed, { recursive: true, force: true });
}

/**
 * One ledger file per push adds up (a year of pushes every 10 minutes is 52,000): merge them
 * past a few dozen. The last push's file stays apart until it is verified, so that it can be
 * taken back if another writer overwrote its segment.
 */
export async function compactLedger(conn: BirdConnection, series: SeriesPaths, state: SeriesState | null): Promise<void> {
  const keepApart = state && !state.verified ? `${state.seq}.parquet` : null;
  for (const table of TABLE_NAMES) {
    const files = seriesLedgerFiles(series, table).filter((f) => basename(f) !== keepApart);
    if (files.length < 32) continue;
    const name = `m${state?.seq ?? 0}-${Date.now()}`;
    // `*`: ledgers of older birds lack `batch` or `seq`, and union_by_name reads those as NULL.
    await writeLedger(conn, series, table, name, `SELECT DISTINCT * FROM read_parquet([${files.map(quoteLiteral).join(', ')}], union_by_name = true)`);
    // Duplicates between the merged file and a source left by a crash are harmless: the ledger is a set.
    for (const f of files) if (existsSync(f)) rmSync(f, { force: true });
  }
}
