// The last step of a pull: downloaded Parquet files become rows of `cached_<name>`, leaving out
// every row whose key this machine already stores: in this cache, in `local` (its own rows, or a
// remote row reusing a local id), or in another remote's cache (the same rows carried by two
// remotes). A batch fetched again after a crash, or the same rows reached twice, adds nothing;
// that is what makes a pull exactly-once whatever its state file says, and a command one row in
// `main` however many remotes carried it (its `_source` is the remote it was first pulled from).
// What is mode-neutral is here; each mode's ingest-files.ts writes the rows its way.
import type { DuckDBConnection } from '@duckdb/node-api';
import { quarantineFile, quoteIdent, type BirdLayout, type TableName, ROW_KEY } from '@bird/core';
import { markIndexStale } from '@bird/history-index';
import { refreshHistoryIndex } from '../history-index-rebuild.ts';
import { stageForgotten } from './forgotten.ts';
import { MAX_VALUE_BYTES, checkIncomingFiles, incomingColumns, readIncoming, rowIsWhole } from './incoming-batches.ts';
import { removedRows } from './remove.ts';
import type { IncomingGroup, IngestFilesOptions } from './storage-mode.ts';

/** How a mode writes each table's rows (the files of one table, of any days); returns the rows added. */
export type TableIngest = (byTable: ReadonlyMap<TableName, string[]>) => Promise<number>;

/**
 * Around a mode's writing: the history index marked stale first (a pull killed in between is
 * caught up by the next reader), then rebuilt so search and `bird history` see pulled rows.
 */
export async function ingestFilesWith(layout: BirdLayout, groups: readonly IncomingGroup[], options: IngestFilesOptions, write: TableIngest): Promise<number> {
  const invocations = groups.some((g) => g.table === 'invocations');
  if (invocations) markIndexStale(layout.historyIndex);
  const byTable = new Map<TableName, string[]>();
  for (const g of groups) byTable.set(g.table, [...(byTable.get(g.table) ?? []), ...g.files]);
  const rows = await write(byTable);
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
export async function stageFresh(connection: DuckDBConnection, layout: BirdLayout, table: TableName, files: readonly string[], stored: readonly string[], options: IngestFilesOptions): Promise<boolean> {
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
  // A command forgotten here is never brought back by a lake that still holds a copy.
  const forgotten = table !== 'sessions' && (await stageForgotten(connection, layout)) ? ` AND NOT coalesce(${removedRows(table, 'i')}, false)` : '';
  // NOT EXISTS, never NOT IN: one NULL key in a stored file must not hide every incoming row.
  const notStored = stored.map((rel) => `NOT EXISTS (SELECT 1 FROM ${rel} s WHERE CAST(s.${key} AS VARCHAR) = i.${key})`).join(' AND ');
  await connection.run(
    `CREATE TEMP TABLE fresh AS SELECT * FROM (
       SELECT * FROM (SELECT ${incomingColumns(table, checked.columns, options.fromSeries)} FROM ${readIncoming(checked.good, options.fromSeries)})
       WHERE ${rowIsWhole(table)} QUALIFY row_number() OVER (PARTITION BY ${key} ORDER BY ${key}) = 1
     ) i WHERE true${notStored ? ` AND ${notStored}` : ''}${forgotten}`,
  );
  return true;
}

