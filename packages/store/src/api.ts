/**
 * The read layer's public shape (the seed's `Store` / `ConnectionOptions`, in TypeScript idiom).
 * `cli` and `sync-worker` program against these types; `store.ts` implements them.
 */
import type { StorageMode } from '@bird/core';

export interface ConnectionOptions {
  /** Attach every auto-attach remote as `remote_<name>` (read-only, per connection). */
  readonly attachRemotes: boolean;
  /** Attach a project-level store found above the current directory, if any. */
  readonly attachProject: boolean;
  /** Create the TEMPORARY macros `remotes_*()` and `cwd_invocations()`. */
  readonly createEphemeralViews: boolean;
  /** Upgrade an older catalog in place before use (takes the catalog briefly read-write). */
  readonly runMigration: boolean;
}

export interface QueryColumn {
  readonly name: string;
  /** DuckDB's type name, e.g. `VARCHAR`, `TIMESTAMP WITH TIME ZONE`. */
  readonly type: string;
}

export interface QueryResult {
  readonly columns: readonly QueryColumn[];
  /** Row-major values as JSON-friendly JS: strings, numbers, booleans, null (timestamps as ISO strings). */
  readonly rows: readonly (readonly unknown[])[];
}

export interface BirdConnection {
  query(sql: string): Promise<QueryResult>;
  close(): void;
}

export interface InitResult {
  readonly mode: StorageMode;
  /** False when the store already existed and init only checked or repaired it. */
  readonly created: boolean;
}
