// The last step of a pull: downloaded Parquet files become rows of `cached_<name>`, leaving out
// every row whose key this machine already stores: in this cache, in `local` (its own rows, or a
// remote row reusing a local id), or in another remote's cache (the same rows carried by two
// remotes). A batch fetched again after a crash, or the same rows reached twice, adds nothing;
// that is what makes a pull exactly-once whatever its state file says, and a command one row in
// `main` however many remotes carried it (its `_source` is the remote it was first pulled from).
// What is mode-neutral is here; each mode's ingest-files.ts writes the rows its way.
import type { DuckDBConnection } from '@duckdb/node-api';
import { TABLE_NAMES, TABLES, hasTombstones, quarantineFile, quoteIdent, quoteLiteral, type BirdLayout, type TableName, ROW_KEY } from '@bird/core';
import { clearStaleMarker, indexFiles, journalBytes, markIndexStale, snapshotNamesNoJournal, type HistoryRow } from '@bird/history-index';
import { FOLD_JOURNAL_BYTES, refreshHistoryIndex } from '../history-index-rebuild.ts';
import { historyRowOfValues, historyRowsSql } from '../history-index-read.ts';
import { journalHistoryRows } from './journal-stored.ts';
import { stageForgotten } from './forgotten.ts';
import { MAX_VALUE_BYTES, STAGED_ROWS, checkIncomingFiles, incomingColumns, readIncoming, rowIsWhole } from './incoming-batches.ts';
import { NO_COMMANDS, removedRows } from './remove.ts';
import type { IncomingGroup, IngestFilesOptions } from './storage-mode.ts';

/** The SQL relations of a table's stored rows that may hold a key between `lo` and `hi` (both included, compared as text). */
export type StoredRelations = (lo: string, hi: string) => readonly string[];

/** What a mode's write added: rows of every table, and the commands among them as the history index keeps them. */
export interface TableIngestResult {
  readonly rows: number;
  /** Null when more than MAX_JOURNALED_COMMANDS arrived: the index is rebuilt instead. */
  readonly commands: readonly HistoryRow[] | null;
}

/** How a mode writes each table's rows (the files of one table, of any days). */
export type TableIngest = (byTable: ReadonlyMap<TableName, string[]>) => Promise<TableIngestResult>;

/**
 * Past this many commands a pull rebuilds the history index rather than journal them: a long
 * journal is parsed by every reader until compaction folds it (FOLD_JOURNAL_BYTES), and a first
 * pull of a whole team costs about what the rebuild does anyway.
 */
export const MAX_JOURNALED_COMMANDS = 5_000;

/**
 * Around a mode's writing: the history index marked stale first (a pull killed before its rows
 * are in the index is caught up by the next reader), then told of the commands added: through
 * the journal, as captured commands are (a pull costs what it brings, not the store's size), or
 * by a rebuild when they are too many to journal, or the snapshot names no journal (a new
 * store's empty one: a journal deleted since would go unnoticed). The marker goes once they are
 * journaled; compaction folds the journal into the snapshot once it grew long.
 */
export async function ingestFilesWith(layout: BirdLayout, groups: readonly IncomingGroup[], options: IngestFilesOptions, write: TableIngest): Promise<number> {
  const invocations = groups.some((g) => g.table === 'invocations');
  const marker = invocations ? markIndexStale(layout.historyIndex) : null;
  // Commands first (TABLE_NAMES' order): a range forget finds their outputs and events by them.
  const byTable = new Map<TableName, string[]>();
  for (const table of TABLE_NAMES) {
    const files = groups.filter((g) => g.table === table).flatMap((g) => g.files);
    if (files.length > 0) byTable.set(table, files);
  }
  const { rows, commands } = await write(byTable);
  if (marker === null) return rows;
  if (commands !== null && journalBytes(commands) <= FOLD_JOURNAL_BYTES && !snapshotNamesNoJournal(indexFiles(layout.historyIndex).snapshot)) {
    const problem = journalHistoryRows(layout, commands);
    if (problem) options.warn(problem);
    clearStaleMarker(marker);
    return rows;
  }
  const problem = await refreshHistoryIndex(layout);
  if (problem) options.warn(problem);
  return rows;
}

/**
 * The commands `fresh` holds (the invocations' stageFresh made it), as the history index keeps
 * them with `remote` as their source (main.invocations' `_source` for `cached_<remote>`); null
 * when there are more than MAX_JOURNALED_COMMANDS.
 */
export async function freshCommands(connection: DuckDBConnection, remote: string): Promise<HistoryRow[] | null> {
  const result = await connection.runAndReadAll(`${historyRowsSql('fresh', quoteLiteral(remote))} LIMIT ${MAX_JOURNALED_COMMANDS + 1}`);
  const rows = result.getRows();
  return rows.length > MAX_JOURNALED_COMMANDS ? null : rows.map(historyRowOfValues);
}

/**
 * Checks `files` and makes `fresh`, a temporary table of their whole rows, one per key, that no
 * stored relation holds yet (`stored`: SQL relations of this table already on this machine that
 * may hold a key within the arriving keys' range, lowest and highest), and
 * none of a forgotten command. Called for the invocations first (ingestFilesWith's order): their
 * arriving commands are kept as `arriving`, and the outputs and events of those a range forget
 * takes are left out with them. Returns false when nothing is left.
 */
export async function stageFresh(connection: DuckDBConnection, layout: BirdLayout, table: TableName, files: readonly string[], stored: StoredRelations, options: IngestFilesOptions): Promise<boolean> {
  const checked = await checkIncomingFiles(connection, table, files, options.fromSeries);
  for (const { file, reason } of checked.setAside) {
    const kept = quarantineFile(layout, file);
    options.warn(`set aside ${options.nameOf(file)}: it ${reason}; it is kept in ${kept} and never read.`);
  }
  for (const [file, n] of checked.rowsLeftOut) {
    options.warn(`left out ${n} of the rows of ${options.nameOf(file)}: a column every row needs was missing or did not convert, or a value was over ${MAX_VALUE_BYTES / 1024 / 1024} MiB.`);
  }
  await connection.run('DROP TABLE IF EXISTS fresh');
  const columns = TABLES[table].columns.map((c) => quoteIdent(c.name)).join(', ');
  const incoming =
    checked.good.length === 0 ? null : checked.staged ? `(SELECT ${columns} FROM ${STAGED_ROWS})` : `(SELECT ${incomingColumns(table, checked.columns, options.fromSeries)} FROM ${readIncoming(checked.good, options.fromSeries, checked.oneSchema)})`;
  if (table === 'invocations' && hasTombstones(layout)) {
    const rows = incoming === null ? NO_COMMANDS : `(SELECT id, session_id, client_id, "timestamp" FROM ${incoming} WHERE ${rowIsWhole(table)})`;
    await connection.run(`CREATE OR REPLACE TEMP TABLE arriving AS SELECT * FROM ${rows}`);
  }
  if (incoming === null) return false;
  const key = quoteIdent(ROW_KEY[table]);
  // A command forgotten here is never brought back by a lake that still holds a copy.
  const commands = table === 'outputs' || table === 'events' ? await arrivingCommands(connection) : NO_COMMANDS;
  const forgotten = table !== 'sessions' && (await stageForgotten(connection, layout, commands)) ? ` AND NOT coalesce(${removedRows(table, 'i')}, false)` : '';
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE arrived AS SELECT * FROM ${incoming}
     WHERE ${rowIsWhole(table)} QUALIFY row_number() OVER (PARTITION BY ${key} ORDER BY ${key}) = 1`,
  );
  await connection.run(`DROP TABLE IF EXISTS ${STAGED_ROWS}`);
  // Only stored keys within the arriving keys' range are compared: ids are time-ordered (UUIDv7)
  // and stored files sorted by time, so the mode names only the stored relations that may hold
  // one (parquet mode: by each file's key range, stored-key-ranges.ts), DuckDB skips every row
  // group outside the range by its min/max statistics, and the check costs what arrives.
  const [lo, hi] = (await connection.runAndReadAll(`SELECT min(${key}), max(${key}) FROM arrived`)).getRows()[0] ?? [];
  const within = lo === null || lo === undefined ? 'false' : `CAST(s.${key} AS VARCHAR) BETWEEN ${quoteLiteral(String(lo))} AND ${quoteLiteral(String(hi))}`;
  // NOT EXISTS, never NOT IN: one NULL key in a stored file must not hide every incoming row.
  const notStored = (lo === null || lo === undefined ? [] : stored(String(lo), String(hi))).map((rel) => `NOT EXISTS (SELECT 1 FROM ${rel} s WHERE ${within} AND CAST(s.${key} AS VARCHAR) = i.${key})`).join(' AND ');
  await connection.run(`CREATE TEMP TABLE fresh AS SELECT * FROM arrived i WHERE true${notStored ? ` AND ${notStored}` : ''}${forgotten}`);
  await connection.run('DROP TABLE arrived');
  return true;
}


/** The commands that arrived in this ingest (`arriving`, made by the invocations' stageFresh), or none. */
async function arrivingCommands(connection: DuckDBConnection): Promise<string> {
  const made = await connection.runAndReadAll("SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = 'arriving'");
  return Number(made.getRows()[0]?.[0] ?? 0) > 0 ? 'arriving' : NO_COMMANDS;
}
