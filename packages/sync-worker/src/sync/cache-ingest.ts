// The last step of a pull: downloaded Parquet files become rows of `cached_<name>`, leaving out
// every row whose key this machine already stores: in this cache, in `local` (its own rows, or a
// remote row reusing a local id), or in another remote's cache (the same rows carried by two
// remotes). A batch fetched again after a crash, or the same rows reached twice, adds nothing;
// that is what makes a pull exactly-once whatever its state file says, and a command one row in
// `main` however many remotes carried it (its `_source` is the remote it was first pulled from).
// Parquet mode adds files beside the cache's; duckdb mode inserts into its tables.
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { TABLES, TEMP_SUFFIX, localPartitionDir, quoteIdent, quoteLiteral, typedSelectList, uuidv7, waitForCompactionLock, writeFileAtomicWith, type BirdLayout, type StorageMode, type TableName, ROW_KEY, ROW_ORDER } from '@bird/core';
import { markIndexStale } from '@bird/history-index';
import { PLACEHOLDER_FILE, cachedPartitionDir, cachedSchema, checkRemoteName, openCatalog, refreshHistoryIndex } from '@bird/store';

/** Downloaded files holding rows of one table and one day. */
export interface IncomingGroup {
  readonly table: TableName;
  readonly date: string;
  /** Parquet files laid out so hive partitioning gives `date` (`…/date=<d>/x.parquet`); they may also hold it. */
  readonly files: readonly string[];
}

/** How long a pull waits for a compaction to finish before it gives up (and retries next run). */
const COMPACTION_WAIT_MS = 60_000;
/** How long a duckdb-mode pull waits for bird.duckdb held by another process (`bird sql`, a drainer). */
const CATALOG_WAIT_MS = 60_000;

/**
 * Adds the groups' rows that the cache lacks; returns how many were added. Pulled invocations
 * reach search and `bird history` through a rebuild of the history index, marked stale first
 * so that a pull killed in between is caught up by the next reader.
 */
export async function ingestIntoCache(layout: BirdLayout, mode: StorageMode, remote: string, groups: readonly IncomingGroup[], warn: (message: string) => void = () => {}): Promise<number> {
  const invocations = groups.some((g) => g.table === 'invocations');
  if (invocations) markIndexStale(layout.historyIndex);
  const rows = mode === 'parquet' ? await ingestAsFiles(layout, remote, groups) : await ingestIntoTables(layout, remote, groups);
  if (invocations) {
    const problem = await refreshHistoryIndex(layout);
    if (problem) warn(problem);
  }
  return rows;
}

/** The rows of `files`, typed as the table, one per key. */
function incomingRows(table: TableName, files: readonly string[]): string {
  const key = quoteIdent(ROW_KEY[table]);
  const list = files.map(quoteLiteral).join(', ');
  return `SELECT ${typedSelectList(TABLES[table])} FROM read_parquet([${list}], hive_partitioning = true, hive_types = {'date': DATE}, union_by_name = true) QUALIFY row_number() OVER (PARTITION BY ${key} ORDER BY ${key}) = 1`;
}

/**
 * Parquet mode: one new file per day in `cached/<name>/<table>/date=<d>/`. Holds the compaction
 * lock, so no merge changes the folder between the check against its files and the rename.
 */
async function ingestAsFiles(layout: BirdLayout, remote: string, groups: readonly IncomingGroup[]): Promise<number> {
  const lock = await waitForCompactionLock(layout, COMPACTION_WAIT_MS);
  if (!lock) throw new Error('a compaction held the store for over a minute; the pull stopped before changing anything, and the next one retries.');
  const instance = await DuckDBInstance.create(':memory:', { enable_external_file_cache: 'false' });
  const connection = await instance.connect();
  let added = 0;
  try {
    for (const { table, date, files } of groups) {
      const dir = cachedPartitionDir(layout, remote, table, date);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const present = storedFilesOfDay(layout, table, date);
      const key = quoteIdent(ROW_KEY[table]);
      // NOT EXISTS, never NOT IN: one NULL key in a stored file must not hide every incoming row.
      const notCached = present.length === 0 ? '' : ` WHERE NOT EXISTS (SELECT 1 FROM read_parquet([${present.map(quoteLiteral).join(', ')}], union_by_name = true) s WHERE CAST(s.${key} AS VARCHAR) = CAST(i.${key} AS VARCHAR))`;
      // A new name every time, never one that is there: rows are kept from doubling by the
      // anti-join above, and a name reused by other content would replace a cached file.
      const output = join(dir, `p-${uuidv7(Date.now())}.parquet`);
      // Published durably (file and folder fsynced): the state moves past these batches only after.
      let count = 0;
      const written = await writeFileAtomicWith(
        output,
        async (tmp) => {
          const result = await connection.runAndReadAll(`COPY (SELECT * FROM (${incomingRows(table, files)}) i${notCached} ORDER BY ${ROW_ORDER[table]}) TO ${quoteLiteral(tmp)} (FORMAT parquet, COMPRESSION zstd)`);
          count = Number(result.getRows()[0]?.[0] ?? 0);
          if (count === 0) return false;
          if (!lock.stillHeld()) throw new Error('another process took the compaction lock over; the pull stopped, and the next one retries.');
          return true;
        },
        { tmpDir: layout.tmp, mode: 0o600 },
      );
      if (!written) continue;
      added += count;
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
    lock.release();
  }
  return added;
}

/**
 * The stored files of one table and day: `local`'s and every cache's (placeholders, hidden and
 * half-written files left out). A day is where a row's key lives, so checking it is enough.
 */
function storedFilesOfDay(layout: BirdLayout, table: TableName, date: string): string[] {
  const dirs = [localPartitionDir(layout, table, date)];
  for (const remote of cachedRemoteNames(layout)) dirs.push(cachedPartitionDir(layout, remote, table, date));
  return dirs.flatMap((dir) => {
    try {
      return readdirSync(dir)
        .filter((n) => n.endsWith('.parquet') && n !== PLACEHOLDER_FILE && !n.startsWith('.') && !n.endsWith(TEMP_SUFFIX))
        .map((n) => join(dir, n));
    } catch {
      return [];
    }
  });
}

/** Remotes pulled from before (a folder each under `db/data/cached/`). */
function cachedRemoteNames(layout: BirdLayout): string[] {
  try {
    return readdirSync(layout.cachedData, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .filter((name) => {
        try {
          checkRemoteName(name);
          return true;
        } catch {
          return false;
        }
      });
  } catch {
    return [];
  }
}

/** DuckDB mode: every group inserted into `cached_<name>.<table>` in one transaction (committed durably by DuckDB's WAL). */
async function ingestIntoTables(layout: BirdLayout, remote: string, groups: readonly IncomingGroup[]): Promise<number> {
  const catalog = await openCatalog(layout.catalog, 'read_write', { lockTimeoutMs: CATALOG_WAIT_MS });
  let connection: DuckDBConnection | undefined;
  try {
    connection = await catalog.instance.connect();
    const schema = quoteIdent(cachedSchema(remote));
    const stored = ['local', ...(await cachedSchemas(connection))];
    const byTable = new Map<TableName, string[]>();
    for (const g of groups) byTable.set(g.table, [...(byTable.get(g.table) ?? []), ...g.files]);
    let added = 0;
    await connection.run('BEGIN TRANSACTION');
    try {
      for (const [table, files] of byTable) {
        const key = quoteIdent(ROW_KEY[table]);
        const target = `${schema}.${quoteIdent(table)}`;
        const columns = TABLES[table].columns.map((c) => quoteIdent(c.name)).join(', ');
        // NOT EXISTS per stored schema (this cache, local, every other cache), never NOT IN: NULL-safe.
        const notStored = stored.map((s) => `NOT EXISTS (SELECT 1 FROM ${quoteIdent(s)}.${quoteIdent(table)} s WHERE s.${key} = i.${key})`).join(' AND ');
        const result = await connection.run(`INSERT INTO ${target} (${columns}) SELECT * FROM (${incomingRows(table, files)}) i WHERE ${notStored} ORDER BY ${ROW_ORDER[table]}`);
        added += Number(result.rowsChanged);
      }
      await connection.run('COMMIT');
    } catch (error) {
      await connection.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
    return added;
  } finally {
    connection?.closeSync();
    catalog.release();
  }
}

/** The `cached_*` schemas bird.duckdb holds tables in (duckdb mode), the placeholder left out. */
async function cachedSchemas(connection: DuckDBConnection): Promise<string[]> {
  const reader = await connection.runAndReadAll(`SELECT DISTINCT schema_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name LIKE 'cached\\_%' ESCAPE '\\' AND schema_name <> 'cached_placeholder' ORDER BY 1`);
  return reader.getRows().map((r) => String(r[0]));
}
