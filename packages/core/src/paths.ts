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
  /** config.toml as last parsed (see config-cache.ts); a shortcut, safe to delete. */
  readonly configCache: string;
  /** What the shell hooks take from config.toml, resolved by bird (see hook-settings.ts); safe to delete. */
  readonly hookSettings: string;
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
  /** What commands printed (`bird run`), content-addressed: `blobs/<2 hex>/<sha256>.gz` (see output-blobs.ts). */
  readonly blobs: string;
  /** Held while blobs are written and referenced (`bird run`) or deleted (`bird forget`), so neither loses the other's. */
  readonly blobsLock: string;
  /** One file per `bird run` whose rows are being written, so a run killed halfway is finished by the next (see run-pending.ts). */
  readonly runsPending: string;
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
  /** What stored outputs hold, as the output search looks through them (store's output-search-cache.ts); safe to delete. */
  readonly outputSearchCache: string;
  /** Zero-row batches shaped like a lake's, which remote views list first (outside every data glob). */
  readonly lakeShape: string;
  /** Present while bird.duckdb still holds the bytes of rows removed from it (duckdb mode's rewrite-catalog.ts). */
  readonly catalogRewriteDue: string;
  /** The remotes whose `cached_<name>` bird.duckdb held when it last looked like this (store's registered-remotes.ts). */
  readonly catalogRemotes: string;
  /** Each stored file's key range, read from its footer once (store's stored-key-ranges.ts); a cache. */
  readonly storedKeyRanges: string;
  /** duckdb mode: made before the first events row goes into bird.duckdb, so `bird stats` opens it for events only when there may be some. */
  readonly eventsWritten: string;
  /** What was forgotten here (`bird forget`): one file per forget, kept so that nothing brings it back. */
  readonly tombstones: string;
  /** Which range forgets' rows were removed to the end (see tombstones.ts), beside them. */
  readonly rangesRemoved: string;
  readonly spool: string;
  /**
   * What each shell under passive output capture printed, one log per recorder (`<pid>.<id>.log`,
   * pid being the recorder's), cut into commands' outputs by the drainer. A folder of its own so
   * that the drainer's watch on the spool folder is not woken by every byte printed.
   */
  readonly outputLogs: string;
  /** `<pid> <boot id>` of the drainer the shells count on (see capture's spool-names.ts). */
  readonly drainerMarker: string;
  /** Why a capture failed, one line each (see errors-log.ts). */
  readonly errorsLog: string;
  /** Stores of what `bird pull --project` pulled from projects' lakes, one per project (see project-store.ts). */
  readonly projectCaches: string;
  /** In such a store: the real path of the project store it holds the lakes of (see project-cache-record.ts). */
  readonly cachedProject: string;
  /** Held by `bird pull --project` while it pulls into such a store, and by compaction while it removes one. */
  readonly cachedProjectLock: string;
}

/** The drainer marker's name in the spool folder, where the drainer tells it from spool files. */
export const DRAINER_MARKER = 'drainer.pid';

export function birdLayout(root: string): BirdLayout {
  const dbDir = join(root, 'db');
  const dataDir = join(dbDir, 'data');
  const spool = join(root, 'spool');
  return {
    root,
    config: join(root, 'config.toml'),
    configLock: join(root, 'config.toml.lock'),
    configCache: join(dbDir, 'config.parsed.json'),
    hookSettings: join(dbDir, 'hook-settings'),
    dbDir,
    catalog: join(dbDir, 'bird.duckdb'),
    dataDir,
    localData: join(dataDir, 'local'),
    cachedData: join(dataDir, 'cached'),
    tmp: join(dbDir, 'tmp'),
    sessionsSeen: join(dbDir, 'sessions-seen'),
    spill: join(dbDir, 'spill'),
    blobs: join(dbDir, 'blobs'),
    blobsLock: join(dbDir, 'blobs.lock'),
    runsPending: join(dbDir, 'runs-pending'),
    quarantine: join(dbDir, 'quarantine'),
    mirror: join(dbDir, 'mirror'),
    compaction: join(dbDir, 'compaction'),
    sync: join(dbDir, 'sync'),
    historyIndex: join(dbDir, 'history-index'),
    outputSearchCache: join(dbDir, 'output-search.cache'),
    lakeShape: join(dbDir, 'lake-shape'),
    catalogRewriteDue: join(dbDir, 'catalog-rewrite-due'),
    catalogRemotes: join(dbDir, 'catalog-remotes.json'),
    storedKeyRanges: join(dbDir, 'stored-key-ranges.json'),
    eventsWritten: join(dbDir, 'events-written'),
    tombstones: join(dbDir, 'tombstones'),
    rangesRemoved: join(dbDir, 'tombstones', 'removed.json'),
    spool,
    outputLogs: join(spool, 'output'),
    drainerMarker: join(spool, DRAINER_MARKER),
    errorsLog: join(root, 'errors.log'),
    projectCaches: join(dbDir, 'project-caches'),
    cachedProject: join(root, 'project-store.path'),
    cachedProjectLock: join(root, 'project-store.lock'),
  };
}

/** Compaction's merged files are named `c-<hash of their inputs>.parquet`; no other writer's name starts so. */
export const MERGED_PREFIX = 'c-';

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

const MICROS_PER_DAY = 86_400_000_000n;

/**
 * UTC calendar date of an epoch-microseconds timestamp, `YYYY-MM-DD`. Arithmetic (days to a
 * civil date, the proleptic Gregorian calendar) rather than Date#toISOString, whose first call
 * in a process costs ~0.17 ms: this runs on every capture's start.
 */
export function utcDateOfMicros(epochMicros: bigint): string {
  let days = epochMicros / MICROS_PER_DAY;
  if (epochMicros % MICROS_PER_DAY < 0n) days -= 1n; // floor, not truncation, before 1970
  // A bulk caller (import) asks for the same day over and over: one string for its rows.
  if (days !== lastDay.days) lastDay = { days, date: civilDateOfDays(days) };
  return lastDay.date;
}

let lastDay = { days: -1n << 64n, date: '' };

function civilDateOfDays(days: bigint): string {
  const z = Number(days) + 719_468; // days since 0000-03-01
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${String(year).padStart(4, '0')}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}`;
}
