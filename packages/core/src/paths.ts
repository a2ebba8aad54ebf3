import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TableName } from './tables.ts';

/** Where everything BIRD keeps lives: `$BIRD_ROOT`, else `${XDG_DATA_HOME:-$HOME/.local/share}/bird`. */
export function resolveBirdRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BIRD_ROOT) return resolve(env.BIRD_ROOT);
  const dataHome = env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share');
  return resolve(dataHome, 'bird');
}

/** Every path under a BIRD root, named once: no other module joins a folder name onto the root. */
export interface BirdLayout {
  readonly root: string;
  readonly config: string;
  /** Held while `bird remote add|remove` edits config.toml, so two edits at once both land. */
  readonly configLock: string;
  readonly dbDir: string;
  readonly catalog: string;
  readonly dataDir: string;
  readonly localData: string;
  /** Rows pulled from remotes: `cached/<name>/<table>/date=…/`, laid out like `local`. */
  readonly cachedData: string;
  /** Half-written files live here, outside every reader glob, until renamed into place. */
  readonly tmp: string;
  /** One empty marker per session whose row parquet mode has written. */
  readonly sessionsSeen: string;
  /** duckdb mode: rows written as Parquet while another process held bird.duckdb. */
  readonly spill: string;
  /** Damaged files set aside (never deleted), under their path relative to `db/`. */
  readonly quarantine: string;
  /** S3 remotes' batches copied here to be read like file remotes: `mirror/<name>/…`. */
  readonly mirror: string;
  /** Compaction's lock, its publish intent and generation, and the ids it merged. */
  readonly compaction: string;
  /** Push and pull state, one folder per remote: `sync/<name>/` (see sync-worker's PROTOCOL.md). */
  readonly sync: string;
  /** The history index search, `bird history` and `bird stats` read without DuckDB (see packages/history-index). */
  readonly historyIndex: string;
  readonly spool: string;
  readonly errorsLog: string;
}

export function birdLayout(root: string): BirdLayout {
  const dbDir = join(root, 'db');
  const dataDir = join(dbDir, 'data');
  return {
    root,
    config: join(root, 'config.toml'),
    configLock: join(root, 'config.toml.lock'),
    dbDir,
    catalog: join(dbDir, 'bird.duckdb'),
    dataDir,
    localData: join(dataDir, 'local'),
    cachedData: join(dataDir, 'cached'),
    tmp: join(dbDir, 'tmp'),
    sessionsSeen: join(dbDir, 'sessions-seen'),
    spill: join(dbDir, 'spill'),
    quarantine: join(dbDir, 'quarantine'),
    mirror: join(dbDir, 'mirror'),
    compaction: join(dbDir, 'compaction'),
    sync: join(dbDir, 'sync'),
    historyIndex: join(dbDir, 'history-index'),
    spool: join(root, 'spool'),
    errorsLog: join(root, 'errors.log'),
  };
}

/** Characters a DuckDB file glob gives meaning to (`\\` escapes); a path with them would read other files. */
export const GLOB_CHARS = /[*?[\]{}\\]/;

/** `db/data/local/<table>/date=YYYY-MM-DD`: the folder a local record of that day goes to. */
export function localPartitionDir(layout: BirdLayout, table: TableName, date: string): string {
  return join(layout.localData, table, `date=${date}`);
}

/** The glob readers use for a local table; it matches only finished files. */
export function localTableGlob(layout: BirdLayout, table: TableName): string {
  return join(layout.localData, table, '*', '*.parquet');
}

/** UTC calendar date of an epoch-microseconds timestamp. */
export function utcDateOfMicros(epochMicros: bigint): string {
  return new Date(Number(epochMicros / 1000n)).toISOString().slice(0, 10);
}
