import { BirdError } from '@bird/core';
import type { AtuinHistoryEntry, HistoryParse } from './history-entry.ts';
import { durationMsOf, startUsOf } from './history-time.ts';
import { applyWal } from './sqlite-wal.ts';

/** What reading an atuin database found, besides its entries. */
export interface AtuinHistoryParse extends HistoryParse<AtuinHistoryEntry> {
  /** Rows atuin marked deleted (`deleted_at` set), left out. */
  readonly deleted: number;
  /**
   * Always empty: a database has no lines, and a row's position in the query (what `line` is
   * here) is nothing a user can find in the file. `unreadable` alone counts the unreadable rows.
   */
  readonly unreadableLines: readonly [];
}

export interface AtuinHistoryOptions {
  /** The bytes of `history.db-wal`, if there is one: atuin's newest commands may be only there. */
  readonly wal?: Uint8Array;
}

/**
 * Reads atuin's `history.db` (bytes of the SQLite file). The schema is atuin's migrations in
 * crates/atuin-client/migrations: `history(id, timestamp, duration, exit, command, cwd,
 * session, hostname, deleted_at, …)` with times in nanoseconds. atuin writes -1 for a duration
 * or exit it does not know (a command still running, or imported from a shell's history file),
 * and `unknown` for the cwd of an imported command; those read as null, and so do a time before
 * 1970 or after year 9999 and a duration past 2^53 ms (damage). `hostname` is `host:user`.
 *
 * Unreadable, counted and skipped: a row whose command or id is not text (counted only: a
 * database has no lines to report, so `unreadableLines` stays empty). A file that is not
 * SQLite, or has no `history` table, is not an atuin database: that throws a BirdError.
 *
 * Loads sql.js (SQLite compiled to WebAssembly) on first use only; see README.md.
 *
 * @example
 * const db = readFileSync(join(dataDir, 'history.db'));
 * const { entries, unreadable, deleted } = await parseAtuinHistory(db, { wal: readIfExists(`${path}-wal`) });
 */
export async function parseAtuinHistory(db: Uint8Array, options: AtuinHistoryOptions = {}): Promise<AtuinHistoryParse> {
  const sql = await loadSqlJs();
  const database = new sql.Database(options.wal ? applyWal(db, options.wal) : db);
  try {
    const columns = new Set(readRows(database, 'pragma table_info(history)').map((row) => row[1]));
    if (!columns.has('command') || !columns.has('timestamp') || !columns.has('id')) {
      throw new BirdError('this is not an atuin history database: it has no history table with id, timestamp and command columns.');
    }
    // Older atuin versions lack later columns; a missing one reads as null.
    const pick = (name: string): string => (columns.has(name) ? name : `null as ${name}`);
    const rows = readRows(
      database,
      `select id, timestamp, ${['duration', 'exit', 'command', 'cwd', 'session', 'hostname', 'deleted_at'].map(pick).join(', ')}
       from history order by timestamp, id`,
    );
    const entries: AtuinHistoryEntry[] = [];
    let unreadable = 0;
    let deleted = 0;
    rows.forEach((row, i) => {
      const [id, timestamp, duration, exit, command, cwd, session, hostname, deletedAt] = row;
      if (deletedAt !== null && deletedAt !== undefined) deleted++;
      else if (typeof id !== 'string' || typeof command !== 'string' || command === '') unreadable++;
      else entries.push({ atuinId: id, ...fromRow(timestamp, duration, exit, command, cwd, session, hostname), line: i + 1 });
    });
    return { entries, unreadable, unreadableLines: [], deleted };
  } catch (error) {
    if (error instanceof BirdError) throw error;
    throw new BirdError(`this is not a readable atuin history database: ${error instanceof Error ? error.message : String(error)}.`, { cause: error });
  } finally {
    database.close();
  }
}

type Value = bigint | number | string | Uint8Array | null;
type Cell = Value | undefined;

function fromRow(...[timestamp, duration, exit, command, cwd, session, hostname]: [Cell, Cell, Cell, string, Cell, Cell, Cell]): Omit<AtuinHistoryEntry, 'atuinId' | 'line'> {
  const origin = text(hostname);
  const colon = origin === null ? -1 : origin.indexOf(':');
  return {
    cmd: command,
    startUs: typeof timestamp === 'bigint' ? startUsOf(timestamp / 1000n) : null,
    durationMs: typeof duration === 'bigint' && duration >= 0n ? durationMsOf(duration / 1_000_000n) : null,
    exitCode: typeof exit === 'bigint' && exit !== -1n && exit >= -(2n ** 31n) && exit < 2n ** 31n ? Number(exit) : null,
    // atuin's placeholder for a command imported from a shell's history file.
    cwd: text(cwd) === 'unknown' ? null : text(cwd),
    session: text(session),
    hostname: colon < 0 ? origin : text(origin!.slice(0, colon)),
    user: colon < 0 ? null : text(origin!.slice(colon + 1)),
  };
}

/** Text, or null for an empty or non-text value. */
function text(value: Cell): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The few parts of sql.js used here; its published types predate `useBigInt`. */
interface SqlJs {
  Database: new (data?: Uint8Array) => SqlJsDatabase;
}
interface SqlJsDatabase {
  prepare(sql: string): { step(): boolean; get(params: null, config: { useBigInt: boolean }): Value[]; free(): void };
  close(): void;
}

function readRows(database: SqlJsDatabase, sql: string): Value[][] {
  const statement = database.prepare(sql);
  try {
    const rows: Value[][] = [];
    // Integers as bigint: nanosecond timestamps are past 2^53.
    while (statement.step()) rows.push(statement.get(null, { useBigInt: true }));
    return rows;
  } finally {
    statement.free();
  }
}

let sqlJs: Promise<SqlJs> | undefined;

/**
 * sql.js's init function. In bird's bundle, run in a vm.Script for its code cache, import()
 * throws and require is there; when the TypeScript runs as ESM (the tests), import() is.
 */
function sqlJsModule(): Promise<unknown> {
  return typeof require === 'function' ? Promise.resolve().then(() => require('sql.js')) : import('sql.js').then((module) => module.default);
}

/** sql.js compiles its WebAssembly (~30 ms) when first asked, so `bird` pays for it only on an atuin import. */
function loadSqlJs(): Promise<SqlJs> {
  sqlJs ??= sqlJsModule()
    .then((init) => (init as () => Promise<SqlJs>)())
    .catch((error: unknown) => {
      sqlJs = undefined;
      // Bundled into another file, sql.js looks for sql-wasm.wasm beside that file instead of its own.
      throw new BirdError(`could not load sql.js to read the atuin database (is sql.js installed, and kept external when bundling?): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    });
  return sqlJs;
}
