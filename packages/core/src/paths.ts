import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TableName } from './tables.ts';

/** Where everything BIRD keeps lives: `$BIRD_ROOT`, else `${XDG_DATA_HOME:-$HOME/.local/share}/bird`. */
export function resolveBirdRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BIRD_ROOT) return resolve(env.BIRD_ROOT);
  const dataHome = env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share');
  return resolve(dataHome, 'bird');
}

/** Every path under a BIRD root, named once. */
export interface BirdLayout {
  readonly root: string;
  readonly config: string;
  readonly dbDir: string;
  readonly catalog: string;
  readonly dataDir: string;
  readonly localData: string;
  /** Half-written files live here, outside every reader glob, until renamed into place. */
  readonly tmp: string;
  readonly spool: string;
  readonly errorsLog: string;
}

export function birdLayout(root: string): BirdLayout {
  const dbDir = join(root, 'db');
  const dataDir = join(dbDir, 'data');
  return {
    root,
    config: join(root, 'config.toml'),
    dbDir,
    catalog: join(dbDir, 'bird.duckdb'),
    dataDir,
    localData: join(dataDir, 'local'),
    tmp: join(dbDir, 'tmp'),
    spool: join(root, 'spool'),
    errorsLog: join(root, 'errors.log'),
  };
}

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
