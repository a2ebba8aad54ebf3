// The last step of a pull: downloaded Parquet files become rows of `cached_<name>`, leaving out
// every row whose key this machine already stores: in this cache, in `local` (its own rows, or a
// remote row reusing a local id), or in another remote's cache (the same rows carried by two
// remotes). A batch fetched again after a crash, or the same rows reached twice, adds nothing;
// that is what makes a pull exactly-once whatever its state file says, and a command one row in
// `main` however many remotes carried it (its `_source` is the remote it was first pulled from).
// Parquet mode adds files beside the cache's; duckdb mode inserts into its tables.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { TABLES, TEMP_SUFFIX, duckdbTempOptions, quarantineFile, quoteIdent, quoteLiteral, uuidv7, waitForCompactionLock, writeFileAtomicWith, type BirdLayout, type StorageMode, type TableName, ROW_KEY, ROW_ORDER } from '@bird/core';
import { markIndexStale } from '@bird/history-index';
import { PLACEHOLDER_FILE, cachedPartitionDir, cachedRemoteDir, cachedSchema, checkRemoteName, openCatalog, refreshHistoryIndex } from '@bird/store';
import { MAX_VALUE_BYTES, checkIncomingFiles, incomingColumns, readIncoming, rowIsWhole } from './incoming-batches.ts';

/** Downloaded files holding rows of one table and one day. */
export interface IncomingGroup {
  readonly table: TableName;
  readonly date: string;
  /** Parquet files laid out so hive partitioning gives `date` (`…/date=<d>/x.parquet`); they may also hold it. */
  readonly files: readonly string[];
}

export interface IngestOptions {
  /** Lake batches (`…/client=<id>/date=<d>/…`): each row's client_id is its series' name. */
  readonly fromSeries: boolean;
  /** How a downloaded file is named in a warning (its lake key). */
  readonly nameOf: (file: string) => string;
  readonly warn: (message: string) => void;
}

/** How long a pull waits for a compaction to finish before it gives up (and retries next run). */
const COMPACTION_WAIT_MS = 60_000;
/** How long a duckdb-mode pull waits for bird.duckdb held by another process (`bird sql`, a drainer). */
const CATALOG_WAIT_MS = 60_000;
/** What the ingest may hold in memory; past it DuckDB spills to a folder under `db/tmp`. */
const INGEST_MEMORY = '512MB';

/**
 * Adds the groups' rows that this machine lacks; returns how many were added. Each table's files
 * are checked first (incoming-batches.ts): a bad batch is set aside in `db/quarantine/` and
 * named, a bad row left out and counted, and the rest goes on. Pulled invocations reach search
 * and `bird history` through a rebuild of the history index, marked stale first so that a pull
 * killed in between is caught up by the next reader.
 */
export async function ingestIntoCache(layout: BirdLayout, mode: StorageMode, remote: string, groups: readonly IncomingGroup[], options: IngestOptions): Promise<number> {
  const invocations = groups.some((g) => g.table === 'invocations');
  if (invocations) markIndexStale(layout.historyIndex);
  const byTable = new Map<TableName, string[]>();
  for (const g of groups) byTable.set(g.table, [...(byTable.get(g.table) ?? []), ...g.files]);
  const rows = mode === 'parquet' ? await ingestAsFiles(layout, remote, byTable, options) : await ingestIntoTables(layout, remote, byTable, options);
  if (invocations) {
    const problem = await refreshHistoryIndex(layout);
    if (problem) options.warn(problem);
  }
  return rows;
}

/**
 * Checks `files` and makes `fresh`, a temporary table of their whole rows, one per key, that no
 * stored relation (`stored`: SQL relations of this table already on this machine) holds yet.
 * Returns false when nothing is left.
 */
async function stageFresh(connection: DuckDBConnection, layout: BirdLayout, table: TableName, files: readonly string[], stored: readonly string[], options: IngestOptions): Promise<boolean> {
  const checked = await checkIncomingFiles(connection, table, files, options.fromSeries);
  for (const { file, reason } of checked.setAside) {
    const kept = quarantineFile(layout, file);
    options.warn(`set aside ${options.nameOf(file)}: it ${reason}; it is kept in ${kept} and never read.`);
  }
  for (const [file, n] of checked.rowsLeftOut) {
    options.warn(`left out ${n} of the rows of ${options.nameOf(file)}: a column every row needs was missing or did not convert, or a value was over ${MAX_VALUE_BYTES / 1024 / 1024} MiB.`);
  }
  await connection.run('DROP TABLE IF EXISTS fresh');
  if (checked.good.length === 0) return false;
  const key = quoteIdent(ROW_KEY[table]);
  // NOT EXISTS, never NOT IN: one NULL key in a stored file must not hide every incoming row.
  const notStored = stored.map((rel) => `NOT EXISTS (SELECT 1 FROM ${rel} s WHERE CAST(s.${key} AS VARCHAR) = i.${key})`).join(' AND ');
  await connection.run(
    `CREATE TEMP TABLE fresh AS SELECT * FROM (
       SELECT * FROM (SELECT ${incomingColumns(table, checked.columns, options.fromSeries)} FROM ${readIncoming(checked.good, options.fromSeries)})
       WHERE ${rowIsWhole(table)} QUALIFY row_number() OVER (PARTITION BY ${key} ORDER BY ${key}) = 1
     ) i${notStored ? ` WHERE ${notStored}` : ''}`,
  );
  return true;
}

/**
 * Parquet mode: one new file per day in `cached/<name>/<table>/date=<d>/`. Holds the compaction
 * lock, so no merge changes the folders between the check against their files and the rename.
 */
async function ingestAsFiles(layout: BirdLayout, remote: string, byTable: ReadonlyMap<TableName, string[]>, options: IngestOptions): Promise<number> {
  const lock = await waitForCompactionLock(layout, COMPACTION_WAIT_MS);
  if (!lock) throw new Error('a compaction held the store for over a minute; the pull stopped before changing anything, and the next one retries.');
  const spill = duckdbTempOptions(layout);
  const instance = await DuckDBInstance.create(':memory:', { enable_external_file_cache: 'false', memory_limit: INGEST_MEMORY, ...spill });
  const connection = await instance.connect();
  let added = 0;
  try {
    for (const [table, files] of byTable) {
      const stored = storedFilesOfTable(layout, table);
      const relations = stored.length === 0 ? [] : [`read_parquet([${stored.map(quoteLiteral).join(', ')}], union_by_name = true)`];
      if (!(await stageFresh(connection, layout, table, files, relations, options))) continue;
      const days = (await connection.runAndReadAll('SELECT DISTINCT CAST("date" AS VARCHAR) FROM fresh ORDER BY 1')).getRows().map((r) => String(r[0]));
      for (const date of days) {
        // A new name every time, never one that is there: rows are kept from doubling by the
        // anti-join above, and a name reused by other content would replace a cached file.
        const output = join(cachedPartitionDir(layout, remote, table, date), `p-${uuidv7(Date.now())}.parquet`);
        // Published durably (file and folder fsynced): the state moves past these batches only after.
        let count = 0;
        await writeFileAtomicWith(
          output,
          async (tmp) => {
            const result = await connection.runAndReadAll(`COPY (SELECT * FROM fresh WHERE "date" = DATE ${quoteLiteral(date)} ORDER BY ${ROW_ORDER[table]}) TO ${quoteLiteral(tmp)} (FORMAT parquet, COMPRESSION zstd)`);
            count = Number(result.getRows()[0]?.[0] ?? 0);
            if (!lock.stillHeld()) throw new Error('another process took the compaction lock over; the pull stopped, and the next one retries.');
            return count > 0;
          },
          { tmpDir: layout.tmp, mode: 0o600 },
        );
        added += count;
      }
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(spill.temp_directory, { recursive: true, force: true });
    lock.release();
  }
  return added;
}

/** Every stored file of one table: `local`'s and every cache's (placeholders, hidden and half-written files left out). */
function storedFilesOfTable(layout: BirdLayout, table: TableName): string[] {
  const tableDirs = [join(layout.localData, table), ...cachedRemoteNames(layout).map((remote) => join(cachedRemoteDir(layout, remote), table))];
  const files: string[] = [];
  for (const tableDir of tableDirs) {
    for (const part of entries(tableDir)) {
      if (!part.startsWith('date=')) continue;
      for (const name of entries(join(tableDir, part))) {
        if (name.endsWith('.parquet') && name !== PLACEHOLDER_FILE && !name.startsWith('.') && !name.endsWith(TEMP_SUFFIX)) files.push(join(tableDir, part, name));
      }
    }
  }
  return files;
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Remotes pulled from before (a folder each under `db/data/cached/`). */
function cachedRemoteNames(layout: BirdLayout): string[] {
  return entries(layout.cachedData).filter((name) => {
    try {
      checkRemoteName(name);
      return true;
    } catch {
      return false;
    }
  });
}

/** DuckDB mode: every table's fresh rows inserted into `cached_<name>.<table>` in one transaction (committed durably by DuckDB's WAL). */
async function ingestIntoTables(layout: BirdLayout, remote: string, byTable: ReadonlyMap<TableName, string[]>, options: IngestOptions): Promise<number> {
  const catalog = await openCatalog(layout.catalog, 'read_write', { lockTimeoutMs: CATALOG_WAIT_MS });
  let connection: DuckDBConnection | undefined;
  try {
    connection = await catalog.instance.connect();
    const schema = quoteIdent(cachedSchema(remote));
    const stored = ['local', ...(await cachedSchemas(connection))];
    let added = 0;
    await connection.run('BEGIN TRANSACTION');
    try {
      for (const [table, files] of byTable) {
        if (!(await stageFresh(connection, layout, table, files, stored.map((s) => `${quoteIdent(s)}.${quoteIdent(table)}`), options))) continue;
        const columns = TABLES[table].columns.map((c) => quoteIdent(c.name)).join(', ');
        const result = await connection.run(`INSERT INTO ${schema}.${quoteIdent(table)} (${columns}) SELECT ${columns} FROM fresh ORDER BY ${ROW_ORDER[table]}`);
        added += Number(result.rowsChanged);
      }
      await connection.run('DROP TABLE IF EXISTS fresh');
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
