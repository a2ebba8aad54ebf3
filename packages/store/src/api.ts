/**
 * The read layer's public shape (the seed's `Store` / `ConnectionOptions`, in TypeScript idiom).
 * `cli` and `sync-worker` program against these types; `store.ts` implements them.
 */
import type { DuckDBDataChunk } from '@duckdb/node-api';
import type { BirdConfig, BirdLayout, StorageMode } from '@bird/core';

export interface ConnectionOptions {
  /** Attach every auto-attach remote as `remote_<name>` (read-only, per connection). */
  readonly attachRemotes: boolean;
  /**
   * Remotes to attach besides those, by name, auto-attach or not (the seed's `auto_attach =
   * false`: "only attach on demand"), or `'all'` of them. They are in `remotes_*()` too. A
   * name config.toml lacks fails the connect (`UnknownRemoteError`), as does one that cannot
   * be attached (`RemoteAttachError`): it was asked for, so it is not merely warned of.
   */
  readonly attachOnDemand: readonly string[] | 'all';
  /**
   * Attach the auto-attach remotes when a query first needs them rather than on connect: when
   * its text names `remote_<name>`, a `remotes_*()` macro or the catalog's own listings
   * (remote-selection's `remotesNamedIn`), or when it fails for want of a schema while some are
   * still unattached (then they are attached and it runs again). A query that reads no remote
   * reaches none, and a remote that cannot be reached is warned of by the first query that
   * needs it. Those in `attachOnDemand` are attached on connect either way.
   */
  readonly attachWhenNamed: boolean;
  /**
   * Attach the store of the project the command runs in (the first `.bird/` walking up from the
   * store's `cwd`: core's project-store.ts) read-only as `project`, with `_source = 'project'`.
   * The macros `project_<table>()` read it, and are empty where there is none.
   */
  readonly attachProject: boolean;
  /** Create the TEMPORARY macros `remotes_*()`, `project_*()` and `cwd_invocations()`. */
  readonly createEphemeralViews: boolean;
  /** Upgrade an older catalog in place before use (takes the catalog briefly read-write). */
  readonly runMigration: boolean;
}

/**
 * Presets, as in the seed: `full()` (the default: remotes attached, macros made, migration
 * run if needed) and `minimal()` (the catalog alone: no attachments, no macros).
 *
 * @example const conn = await store.connect(ConnectionOptions.minimal());
 */
export const ConnectionOptions = {
  full: (): ConnectionOptions => ({ attachRemotes: true, attachOnDemand: [], attachWhenNamed: false, attachProject: true, createEphemeralViews: true, runMigration: true }),
  minimal: (): ConnectionOptions => ({ attachRemotes: false, attachOnDemand: [], attachWhenNamed: false, attachProject: false, createEphemeralViews: false, runMigration: false }),
} as const;

export interface QueryColumn {
  readonly name: string;
  /** DuckDB's type name, e.g. `VARCHAR`, `TIMESTAMP WITH TIME ZONE`. */
  readonly type: string;
}

export interface QueryResult {
  readonly columns: readonly QueryColumn[];
  /** Row-major values as JSON-friendly JS: strings, numbers, booleans, null (timestamps as ISO strings). */
  readonly rows: readonly (readonly unknown[])[];
  /** Files skipped while answering (bad Parquet), one sentence each; also sent to the store's `onWarning`. */
  readonly warnings?: readonly string[];
}

export interface QueryOptions {
  /**
   * A statement with side effects (a `COPY … TO`) passes what undoes them: a query that a
   * compaction's publish overlapped is run again, and this runs first, so the second run starts
   * from nothing rather than from what the first one left (e.g. a non-empty output folder).
   */
  readonly beforeRetry?: () => void;
}

export interface BirdConnection {
  query(sql: string, options?: QueryOptions): Promise<QueryResult>;
  /**
   * Runs `sql` and hands its result to `read` a chunk (up to 2,048 rows) at a time, as DuckDB
   * holds it, never whole: for results too large to become JS rows (the history index's
   * millions, chunk-columns.ts). For queries of this connection's temporary tables only: unlike
   * `query` it neither runs again over a compaction's publish nor skips a bad file.
   */
  readChunks(sql: string, read: (chunk: DuckDBDataChunk) => void): Promise<void>;
  close(): void;
  /** What could not be set up on connect (e.g. a remote that was skipped), one sentence each. */
  readonly warnings: readonly string[];
  /** Names of the remotes attached as `remote_<name>` on this connection. */
  readonly attachedRemotes: readonly string[];
}

export interface StoreOptions {
  /** How long to retry while another process holds bird.duckdb; default 15 s. */
  readonly lockTimeoutMs?: number;
  /** Where warnings go (skipped remotes, skipped bad files); default: `bird: warning: …` on stderr. */
  readonly onWarning?: (message: string) => void;
  /** Directory `cwd_invocations()` filters on; default `process.cwd()`. */
  readonly cwd?: string;
}

export interface Store {
  readonly layout: BirdLayout;
  readonly config: BirdConfig;
  /** Opens bird.duckdb READ_ONLY for this connection; `close()` releases it. */
  connect(options?: Partial<ConnectionOptions>): Promise<BirdConnection>;
}

export interface InitResult {
  readonly mode: StorageMode;
  /** False when the store already existed and init only checked or repaired it. */
  readonly created: boolean;
  /** What a repair of an existing store changed, in words (empty: nothing). */
  readonly changes: readonly string[];
}
