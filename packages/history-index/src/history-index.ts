// The history index in memory: every row of main.invocations that search, `bird history` and
// `bird stats` need, as columns of typed arrays with interned strings, so it loads in a few
// milliseconds without DuckDB (which takes ~400 ms to load and open here).

/** An exit code the store does not know (NULL). */
export const UNKNOWN_EXIT = -2147483648;

export interface HistoryIndex {
  /** Number of rows, oldest first (by start time, then id). */
  readonly size: number;
  /** Start of each command, epoch microseconds (exact below 2^53 µs, the year 2255). */
  readonly timestampUs: Float64Array;
  /** NaN where unknown. */
  readonly durationMs: Float64Array;
  /** {@link UNKNOWN_EXIT} where unknown. */
  readonly exitCode: Int32Array;
  /** Indexes into {@link commands}, {@link dirs}, {@link sessions}, {@link hosts}, {@link sources}. */
  readonly cmd: Uint32Array;
  readonly cwd: Uint32Array;
  readonly session: Uint32Array;
  readonly host: Uint32Array;
  readonly source: Uint32Array;
  /** Each row's UUID, 16 bytes per row. */
  readonly ids: Uint8Array;
  /** Distinct values, each once. */
  readonly commands: readonly string[];
  readonly dirs: readonly string[];
  readonly sessions: readonly string[];
  readonly hosts: readonly string[];
  /** `_source`: `local`, or the name of the remote a row was pulled from. */
  readonly sources: readonly string[];
}

/** One row as the journal carries it and as tests build indexes from. */
export interface HistoryRow {
  id: string;
  timestampUs: number;
  durationMs: number | null;
  exitCode: number | null;
  cmd: string;
  cwd: string;
  session: string;
  host: string;
  source: string;
}
