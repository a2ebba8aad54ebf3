/**
 * The two storage modes behind one interface. Capture, import, pull and compaction write through
 * it and nothing else: no code outside this folder asks which mode a store is in. Each mode is a
 * folder with the same files (`parquet/`, `duckdb/`: append, ingest-rows, ingest-files, compact),
 * and each operation keeps its mode's guarantees inside it: the locks it must hold, the ids it must
 * skip, the atomic write, the history index told.
 *
 * To add a mode: a folder with those four files and a `<mode>-mode.ts` that puts them together, a
 * name in core's STORAGE_MODES, and its entry in open-storage-mode.ts's table (a mode that is not
 * there does not compile); capture's own entry, append-entry.ts, names it too.
 */
import type { EventRow, InvocationRow, OutputRow, SessionRow, StorageMode as StorageModeName, TableDef, TableName } from '@bird/core';
import type { CommandRef, SeriesCutoff } from './remove.ts';
import type { RetentionOutcome } from './retention.ts';

export type { CommandRef, SeriesCutoff } from './remove.ts';
export type { RetentionOutcome } from './retention.ts';

/** One finished command as capture stores it: its row, and its session's (written once per session). */
export interface CapturedCommand {
  readonly invocation: InvocationRow;
  readonly session: SessionRow;
  /**
   * What it printed (`bird run`), written after its command so that no output is ever stored
   * without it; a kill in between is finished by the caller's redo (cli's run-pending.ts).
   */
  readonly outputs?: readonly OutputRow[];
  /** What the outputs say (@bird/core/events), written after them, for the same reason. */
  readonly events?: readonly EventRow[];
}

/** A command whose events are replaced (`bird events --reparse`): its id and its day, where its events are. */
export interface ReplacedCommand {
  readonly id: string;
  readonly date: string;
}

export interface AppendOptions {
  /**
   * These commands may have been stored before (a drainer redoing a claim it took over): rows a
   * compaction merged away since are skipped (parquet mode; duckdb mode skips stored ids anyway).
   */
  readonly redo?: boolean;
}

export interface AppendResult {
  /** Commands written now (a redo skips those already merged). */
  readonly written: number;
  /** Sentences for errors.log: a history index that could not be told (the rows are stored). */
  readonly problems: readonly string[];
}

/** Rows of one table and one day, in memory (an import's). */
export interface RowGroup {
  readonly table: TableDef;
  readonly date: string;
  readonly rows: readonly Record<string, unknown>[];
}

export interface IngestRowsResult {
  readonly written: number;
  /** The history index could not be rebuilt (the rows are stored; the next reader rebuilds it). */
  readonly warning?: string;
}

/** Downloaded files holding rows of one table and one day (a pull's). */
export interface IncomingGroup {
  readonly table: TableName;
  readonly date: string;
  /** Parquet files whose path gives `date` as a hive partition (`…/date=<d>/x.parquet`, or a flatIncomingName); they may also hold it. */
  readonly files: readonly string[];
}

export interface IngestFilesOptions {
  /** Lake batches (`…/client=<id>/date=<d>/…`): each row's client_id is its series' name. */
  readonly fromSeries: boolean;
  /** How a downloaded file is named in a warning (its lake key). */
  readonly nameOf: (file: string) => string;
  readonly warn: (message: string) => void;
}

export interface CompactOptions {
  readonly dryRun?: boolean;
  /** Called after each job: jobs done, jobs in all. */
  readonly onProgress?: (done: number, total: number) => void;
  /** A line for --verbose. */
  readonly onStep?: (line: string) => void;
  /** A file set aside as damaged, named for the user. */
  readonly onWarning?: (line: string) => void;
  readonly nowMs?: number;
}

/** One partition's merge, as planned (parquet mode; duckdb mode plans none). */
export interface CompactionJob {
  readonly table: TableName;
  readonly date: string;
  /** The partition's folder. */
  readonly dir: string;
  /** File names in `dir`, merged into `output` and then deleted. */
  readonly inputs: readonly string[];
  /** Named from its inputs: a retry after a crash writes the same name. */
  readonly output: string;
}

export interface CompactSummary {
  /** `locked`: another compaction holds the lock, nothing was done (not a failure). */
  readonly outcome: 'done' | 'locked' | 'dry-run';
  readonly mode: StorageModeName;
  readonly filesIn: number;
  readonly filesOut: number;
  readonly rows: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly seconds: number;
  readonly quarantined: readonly string[];
  readonly jobs: readonly CompactionJob[];
  /** What `[retention]` forgot first (and range forgets cut short that were finished); absent when nothing. */
  readonly retention?: RetentionOutcome;
}

export interface StorageMode {
  readonly name: StorageModeName;
  /**
   * Stores captured commands: each row once however often it is written (a retried write of the
   * same id is no new row), told to the history index before it returns.
   */
  append(commands: readonly CapturedCommand[], options?: AppendOptions): Promise<AppendResult>;
  /** True when a day of this machine's commands is due a compaction (the drainer then starts one). */
  compactionDue(date: string): boolean;
  /**
   * Many rows of this machine (an import), in batches: `batches` (which may read the store to
   * decide what is new) runs with the store held against compaction, and each batch is written
   * whole before the next is asked for, so memory holds one batch, not the import. A mode may
   * hold written batches back from readers to publish several at once (parquet's staged files);
   * an empty batch asks for all written so far to be readable before the next is asked for (a
   * batch that reads back what the ones before it stored). A crash leaves
   * whole batches or none of a batch; a rerun that skips what is stored adds each row once. The
   * history index is marked stale before the first row and rebuilt after the last (or left to its
   * next reader past INGEST_REBUILDS_INDEX_UP_TO commands). Returns the rows written, or a warning
   * when the index could not be rebuilt.
   */
  ingestRows(batches: () => AsyncIterable<readonly RowGroup[]>): Promise<IngestRowsResult>;
  /**
   * Rows a pull downloaded, into `cached_<remote>`: each table's files checked first (a bad batch
   * set aside, a bad row left out, both named), and no row this machine already stores (local, or
   * any remote's cache) stored again. Returns the rows added.
   */
  ingestFiles(remote: string, groups: readonly IncomingGroup[], options: IngestFilesOptions): Promise<number>;
  /** Merges small files (parquet) or takes in rows spilled while the catalog was held (duckdb). */
  compact(options?: CompactOptions): Promise<CompactSummary>;
  /**
   * Removes commands by id, and every command of a series that started before a cutoff (`ranges`),
   * from everything stored here (local rows and every cache), with what hangs off them: their
   * outputs and events, and their sessions when no command of them is left. Readers see each row
   * or not, never a file half rewritten; a kill anywhere leaves the old state or the new. The
   * history index follows. Callers write the tombstones first (core's tombstones.ts), so a
   * removal cut short is finished by running it again; with nothing to remove, it finishes only
   * what a removal cut short left (duckdb mode: the file's rewrite).
   */
  remove(commands: readonly CommandRef[], ranges?: readonly SeriesCutoff[], options?: RemoveOptions): Promise<RemoveResult>;
}

export interface RemoveOptions {
  /**
   * Only these tables' rows of the commands (default: all). `['events']` takes what a command's
   * output said, to be parsed again (`bird events --reparse`), and leaves the command, its
   * outputs and the history index as they are.
   */
  readonly tables?: readonly TableName[];
}

export interface RemoveResult {
  /** Rows removed, by table. */
  readonly rows: Readonly<Record<TableName, number>>;
  /** Files rewritten without them (parquet mode). */
  readonly files: number;
}
