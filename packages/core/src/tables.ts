/**
 * The one source of truth for BIRD's tables. The Parquet writer schema, the DuckDB DDL and
 * the TypeScript row types are all derived from these definitions; add a column here and
 * every layer follows.
 */

/** Logical column kinds; each maps to exactly one SQL type and one Parquet encoding. */
export const COLUMN_KINDS = ['text', 'int32', 'int64', 'timestamptz', 'date'] as const;
export type ColumnKind = (typeof COLUMN_KINDS)[number];

export interface ColumnDef {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly nullable: boolean;
  /**
   * The catalog schema version that added the column to its table, when it came after the table:
   * files written before it lack it, and are read with it NULL (sql.ts's parquetRead).
   */
  readonly addedIn?: number;
}

export interface TableDef<Cols extends readonly ColumnDef[] = readonly ColumnDef[]> {
  readonly name: TableName;
  readonly columns: Cols;
}

export const TABLE_NAMES = ['invocations', 'sessions', 'outputs', 'events'] as const;
export type TableName = (typeof TABLE_NAMES)[number];

const required = <N extends string, K extends ColumnKind>(name: N, kind: K) =>
  ({ name, kind, nullable: false }) as const;
const optional = <N extends string, K extends ColumnKind>(name: N, kind: K) =>
  ({ name, kind, nullable: true }) as const;
const added = <N extends string, K extends ColumnKind>(name: N, kind: K, addedIn: number) =>
  ({ name, kind, nullable: true, addedIn }) as const;

export const INVOCATIONS = {
  name: 'invocations',
  columns: [
    required('id', 'text'), // UUIDv7
    required('session_id', 'text'),
    required('timestamp', 'timestamptz'), // when the command started
    optional('duration_ms', 'int64'),
    optional('cwd', 'text'), // where the command ran, before any `cd` it did
    required('cmd', 'text'),
    optional('executable', 'text'),
    optional('exit_code', 'int32'),
    required('client_id', 'text'),
    optional('hostname', 'text'),
    optional('shell', 'text'),
    required('date', 'date'), // UTC date of `timestamp`; the partition key
  ],
} as const satisfies TableDef;

export const SESSIONS = {
  name: 'sessions',
  columns: [
    required('session_id', 'text'),
    required('client_id', 'text'),
    optional('invoker', 'text'), // zsh, bash or fish
    optional('invoker_pid', 'int32'),
    required('registered_at', 'timestamptz'),
    optional('cwd', 'text'),
    required('date', 'date'),
  ],
} as const satisfies TableDef;

export const OUTPUTS = {
  name: 'outputs',
  columns: [
    required('id', 'text'),
    required('invocation_id', 'text'),
    optional('stream', 'text'),
    optional('content_hash', 'text'),
    optional('byte_length', 'int64'),
    optional('storage_type', 'text'),
    optional('storage_ref', 'text'),
    required('date', 'date'),
  ],
} as const satisfies TableDef;

export const EVENTS = {
  name: 'events',
  columns: [
    required('id', 'text'),
    required('invocation_id', 'text'),
    optional('severity', 'text'),
    optional('ref_file', 'text'),
    optional('ref_line', 'int32'),
    optional('ref_column', 'int32'),
    optional('message', 'text'),
    optional('code', 'text'),
    // What a command's output says, parsed into rows (@bird/core/events).
    added('kind', 'text', 5), // 'diagnostic' (severity, ref_*, message, code) or 'test' (test_name, status, duration_ms)
    added('test_name', 'text', 5),
    added('status', 'text', 5), // passed, failed or skipped
    added('duration_ms', 'int64', 5),
    required('date', 'date'),
  ],
} as const satisfies TableDef;

/** True when some column came after its table: older files of it lack that column. */
export function hasAddedColumns(table: TableDef): boolean {
  return table.columns.some((c) => c.addedIn !== undefined);
}

export const TABLES = {
  invocations: INVOCATIONS,
  sessions: SESSIONS,
  outputs: OUTPUTS,
  events: EVENTS,
} as const satisfies Record<TableName, TableDef>;

/**
 * In-memory value of each kind. Timestamps are microseconds since the Unix epoch as bigint,
 * because a JS Date holds only milliseconds; dates are 'YYYY-MM-DD' strings.
 */
interface KindValues {
  text: string;
  int32: number;
  int64: number;
  timestamptz: bigint;
  date: string;
}

type ValueOf<C extends ColumnDef> = C['nullable'] extends true
  ? KindValues[C['kind']] | null
  : KindValues[C['kind']];

export type RowOf<T extends TableDef> = {
  -readonly [C in T['columns'][number] as C['name']]: ValueOf<C>;
};

export type InvocationRow = RowOf<typeof INVOCATIONS>;
export type SessionRow = RowOf<typeof SESSIONS>;
export type OutputRow = RowOf<typeof OUTPUTS>;
export type EventRow = RowOf<typeof EVENTS>;
