// What `bird doctor` finds, as plain values: gathered by gather-facts.ts and remote-facts.ts,
// judged and worded by doctor-lines.ts, printed as lines or as JSON (doctor-json.ts).
import type { ClientIdOrigin, RemoteType, StorageMode } from '@bird/core';
import type { SpoolBacklog } from '@bird/capture/spool-backlog';
import type { LocalSyncStatus } from '@bird/sync-worker';
import type { CheckName, CheckStatus } from '../remote-checks.ts';
import type { HookState } from './hook-state.ts';
import type { StoredBytes } from './stored-bytes.ts';

export interface HookFacts {
  readonly state: HookState;
  /** BIRD_DISABLED=1 in this environment: a hooked shell records nothing. */
  readonly disabled: boolean;
  /** The shell `$SHELL` names, for the hint of how to hook it; null when it is none bird hooks. */
  readonly loginShell: string | null;
}

export interface StoreFacts {
  readonly root: string;
  /** What chose the root: BIRD_ROOT, XDG_DATA_HOME, or the default under ~/.local/share. */
  readonly rootFrom: 'BIRD_ROOT' | 'XDG_DATA_HOME' | 'default';
  readonly state: 'present' | 'missing' | 'not-a-folder';
  /** The mode config.toml names; null when it could not be read. */
  readonly mode: StorageMode | null;
  /** bird.duckdb exists (the first bird command that reads makes it). */
  readonly catalog: boolean;
  /** What the store takes on disk; null when there is no store. */
  readonly bytes: StoredBytes | null;
}

export type ConfigFacts =
  | { readonly state: 'ok'; readonly path: string; readonly remotes: number; readonly remoteProblems: readonly string[] }
  | { readonly state: 'missing'; readonly path: string }
  | { readonly state: 'broken'; readonly path: string; readonly problem: string };

export interface ClientIdFacts {
  /** The id this process's captures would carry. */
  readonly id: string;
  readonly origin: ClientIdOrigin;
  /** config.toml's client_id (what cron's bird-sync goes by); null when it names none or cannot be read. */
  readonly configured: string | null;
  /** Why `id` cannot name a lake series, or null. */
  readonly problem: string | null;
}

/** Passive output capture as this process's shell has it. */
export interface OutputFacts {
  /** `[capture] output` in config.toml: hooked shells opened since record what commands print. */
  readonly passive: boolean;
  /** The recorder's log this shell writes to (BIRD_OUTPUT_LOG, set under the recorder), when it exists. */
  readonly recorderLog: string | null;
  /** errors.log's newest line saying why a shell runs without output capture, or null. */
  readonly lastFailure: string | null;
}

/** The project store of the folder doctor runs in (core's findProjectStore). */
export type ProjectFacts =
  | { readonly state: 'none' }
  | {
      readonly state: 'found';
      readonly root: string;
      readonly mode: StorageMode;
      /** The lakes its config.toml names (for `bird pull --project`), and those already pulled into `cache`. */
      readonly lakes: readonly string[];
      readonly pulled: readonly string[];
      readonly cache: string;
    }
  | { readonly state: 'refused'; readonly why: string };

export interface SpoolFacts {
  readonly dir: string;
  /** Why the hooks cannot spool right now (core's spoolProblem), or null. */
  readonly problem: string | null;
  /** Null when there is no spool folder yet. */
  readonly backlog: SpoolBacklog | null;
}

export type IndexFacts =
  | { readonly state: 'ok'; readonly commands: number; readonly newestLocalMs: number | null; readonly damagedLines: number }
  | { readonly state: 'missing' | 'stale' | 'damaged'; readonly detail: string };

/** A count that could not be made, with why, or the count. */
export type Counted<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly why: string };

export interface RemoteCheckLine {
  readonly status: CheckStatus;
  readonly check: CheckName;
  readonly text: string;
}

export interface RowsNotPulledFacts {
  readonly rows: number;
  readonly segments: number;
  readonly segmentsRead: number;
  /** Teammates' series with segments not pulled yet. */
  readonly series: number;
}

export interface RemoteFacts {
  readonly name: string;
  readonly type: RemoteType;
  readonly uri: string;
  readonly mode: 'read_write' | 'read_only';
  /** False for a read_only or `.duckdb` remote: this machine never pushes there. */
  readonly pushable: boolean;
  readonly checks: readonly RemoteCheckLine[];
  readonly sync: LocalSyncStatus;
  /** Rows of `local` a push would send, by table; null when the remote is not pushable or there is no store. */
  readonly unpushed: Counted<Readonly<Record<string, number>>> | null;
  /** Teammates' rows in segments not pulled yet; null when the lake could not be read or has no index. */
  readonly notPulled: Counted<RowsNotPulledFacts> | null;
  /** Teammates' series whose index is damaged, read by listing their folders. */
  readonly listedSeries: readonly { readonly client: string; readonly damage: string }[];
}

export interface DoctorFacts {
  readonly version: string;
  readonly nowMs: number;
  readonly hook: HookFacts;
  readonly store: StoreFacts;
  /** Null when there is no store to hold one. */
  readonly config: ConfigFacts | null;
  readonly clientId: ClientIdFacts;
  readonly project: ProjectFacts;
  readonly spool: SpoolFacts;
  /** Null when config.toml could not be read. */
  readonly output: OutputFacts | null;
  readonly index: IndexFacts;
  /** Null when config.toml could not be read, so the remotes are not known. */
  readonly remotes: readonly RemoteFacts[] | null;
}
