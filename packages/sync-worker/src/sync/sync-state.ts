/**
 * What this machine keeps about each remote, in `db/sync/<name>/` (PROTOCOL.md, "Push and pull"):
 *
 *   lock                       one push or pull of this remote at a time (compaction's lock discipline)
 *   series/<client>/           one folder per lake series this store writes (one per client id):
 *     push.json                  { seq, token, verified }: the last segment this store committed
 *     pushed/<table>/*.parquet   the ledger: keys of every row pushed into the series (column `key`)
 *     outbox/<seq>/              a push staged and not yet committed: its batches and segment.json
 *   legacy-pushed/<table>/     keys pushed by a bird older than per-series state (read only)
 *   pull.json                  per client of the lake: the last segment read, and batches left for later
 *   incoming/                  batches downloaded and not yet in the cache
 *
 * Every file here is read back as untrusted input: a crash or a full disk can damage any of it.
 * A value that does not check out reads as absent, and push rebuilds it from the remote's own
 * index (the rule for each file is in PROTOCOL.md).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { clientIdProblem, tryLock, writeFileAtomic, type BirdLayout, type Lock, type TableName } from '@bird/core';
import { checkRemoteName } from '@bird/store';
import type { DatabaseCursor, KnownBatch, PullCursor } from './plan-sync.ts';

export interface SyncPaths {
  readonly dir: string;
  readonly lock: string;
  /** One folder per series this store writes: `series/<client>/`. */
  readonly series: string;
  readonly legacyPushed: string;
  readonly pullState: string;
  readonly incoming: string;
  readonly scratch: string;
}

export function syncPaths(layout: BirdLayout, remote: string): SyncPaths {
  const dir = join(layout.sync, checkRemoteName(remote));
  return {
    dir,
    lock: join(dir, 'lock'),
    series: join(dir, 'series'),
    legacyPushed: join(dir, 'legacy-pushed'),
    pullState: join(dir, 'pull.json'),
    incoming: join(dir, 'incoming'),
    scratch: join(dir, 'scratch'),
  };
}

export function prepareSyncDirs(paths: SyncPaths): void {
  for (const dir of [paths.dir, paths.series, paths.incoming, paths.scratch]) mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** One push or pull of `remote` at a time in this root; null when another holds it. */
export function trySyncLock(paths: SyncPaths): Lock | null {
  return tryLock(paths.lock);
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch {
    // missing or damaged state: each caller reads undefined as no state
    return undefined;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSeq = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const TOKEN = /^[0-9a-f]{8,64}$/;

// ---- one series ---------------------------------------------------------------------------

export interface SeriesPaths {
  readonly client: string;
  readonly dir: string;
  readonly pushState: string;
  readonly pushed: string;
  readonly outbox: string;
  /** Set when adopting the series was refused (it holds rows this store does not have), with the head it was refused at. */
  readonly refused: string;
  /** Ids of forgotten commands a push has carried to the lake (a line each). */
  readonly carriedForgets: string;
  /** Batches of the series a push withdrew (a line each): never to be read again, deleted from the lake. */
  readonly withdrawn: string;
  /** The furthest range forget of the series a push has carried to the lake (an instant). */
  readonly carriedBefore: string;
  /** Written once the blobs of outputs rows pushed before blobs travelled are in the lake (lake-blobs.ts, backfillBlobs). */
  readonly blobsBackfilled: string;
}

export function seriesPaths(paths: SyncPaths, client: string): SeriesPaths {
  const problem = clientIdProblem(client);
  if (problem) throw new Error(`client id ${JSON.stringify(client)} cannot name a series (${problem})`);
  const dir = join(paths.series, client);
  return {
    client,
    dir,
    pushState: join(dir, 'push.json'),
    pushed: join(dir, 'pushed'),
    outbox: join(dir, 'outbox'),
    refused: join(dir, 'refused.json'),
    carriedForgets: join(dir, 'forgotten.txt'),
    withdrawn: join(dir, 'withdrawn.txt'),
    carriedBefore: join(dir, 'forgotten-before.txt'),
    blobsBackfilled: join(dir, 'blobs-backfilled.txt'),
  };
}

export function prepareSeriesDirs(series: SeriesPaths): void {
  for (const dir of [series.dir, series.pushed, series.outbox]) mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** The series this store has written to this remote (a folder each), by client id. */
export function writtenSeries(paths: SyncPaths): string[] {
  try {
    return readdirSync(paths.series, { withFileTypes: true })
      .filter((e) => e.isDirectory() && clientIdProblem(e.name) === null)
      .map((e) => e.name)
      .sort();
  } catch {
    // no series folder yet: nothing written to this remote
    return [];
  }
}

/** What this store last committed to a series: its number, and the token its head carried. */
export interface SeriesState {
  readonly seq: number;
  readonly token: string;
  /** False until a later push has read the segment back and found this store's token in it. */
  readonly verified: boolean;
}

/** The series' push state, or null when there is none or it does not check out (push rebuilds it). */
export function readSeriesState(series: SeriesPaths): SeriesState | null {
  const doc = readJson(series.pushState);
  if (!isRecord(doc) || !isSeq(doc.seq) || typeof doc.token !== 'string' || !TOKEN.test(doc.token)) return null;
  return { seq: doc.seq, token: doc.token, verified: doc.verified === true };
}

export function writeSeriesState(series: SeriesPaths, state: SeriesState): void {
  writeFileAtomic(series.pushState, `${JSON.stringify(state)}\n`, { mode: 0o600 });
}

/**
 * An adoption refused (the series holds rows this store does not have) is remembered with the
 * head it was refused at, so the next pushes say so again without reading the series back; a
 * new head (the other writer pushed, or a repair) means a fresh look.
 */
export interface Refusal {
  readonly headSeq: number;
  readonly headToken: string | null;
  readonly message: string;
  /**
   * Set once this machine took another client id and was told so: the series' rows stay here
   * for good, and pushes leave the series alone (until `bird remote repair` takes it over).
   */
  readonly parked?: boolean;
}

export function readRefusal(series: SeriesPaths): Refusal | null {
  const doc = readJson(series.refused);
  if (!isRecord(doc) || !isSeq(doc.headSeq) || typeof doc.message !== 'string' || !(doc.headToken === null || typeof doc.headToken === 'string')) return null;
  return { headSeq: doc.headSeq, headToken: doc.headToken, message: doc.message, ...(doc.parked === true ? { parked: true } : {}) };
}

export function writeRefusal(series: SeriesPaths, refusal: Refusal | null): void {
  if (refusal === null) rmSync(series.refused, { force: true });
  else writeFileAtomic(series.refused, `${JSON.stringify(refusal)}\n`, { mode: 0o600 });
}

/** Segment numbers staged in the outbox (complete ones: a staging folder becomes `<seq>` by one rename). */
export function outboxSeqs(series: SeriesPaths): number[] {
  try {
    return readdirSync(series.outbox)
      .filter((n) => /^[0-9]{1,15}$/.test(n))
      .map(Number)
      .sort((a, b) => a - b);
  } catch {
    // no outbox yet: nothing staged
    return [];
  }
}

/** Every ledger file of one table of one series. */
export function seriesLedgerFiles(series: SeriesPaths, table: TableName): string[] {
  return parquetFiles(join(series.pushed, table));
}

/**
 * Every ledger file of one table across this remote: each series' and the legacy one. A row is
 * pushed once to a remote, into its own series, so any of them holding its key means pushed.
 */
export function remoteLedgerFiles(paths: SyncPaths, table: TableName): string[] {
  const out = parquetFiles(join(paths.legacyPushed, table));
  for (const client of writtenSeries(paths)) out.push(...parquetFiles(join(paths.series, client, 'pushed', table)));
  return out;
}

function parquetFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => n.endsWith('.parquet') && !n.startsWith('.'))
      .sort()
      .map((n) => join(dir, n));
  } catch {
    // no such folder: no files
    return [];
  }
}

// ---- state of a bird older than per-series state -----------------------------------------

/** What a bird before per-series state left in `db/sync/<name>/`: one counter and ledger for the whole remote. */
export interface LegacyState {
  readonly pushState: string;
  readonly pushed: string;
  readonly outbox: string;
}

export function legacyState(paths: SyncPaths): LegacyState {
  return { pushState: join(paths.dir, 'push.json'), pushed: join(paths.dir, 'pushed'), outbox: join(paths.dir, 'outbox') };
}

// ---- pull ----------------------------------------------------------------------------------

export interface PullState {
  /** The lake these cursors belong to: state of another uri starts over. */
  readonly source: string;
  readonly clients: Record<string, PullCursor>;
  /** Batches the index named that a filter (--since, a table not synced) kept out so far. */
  readonly deferred: KnownBatch[];
  /** A database remote (no index): which version was read, and through which filters. */
  readonly database?: DatabaseCursor;
  /** A lake without `_bird/` (written by other tools): the batch keys already added to the cache. */
  readonly listed?: string[];
  /** What was last found wrong with `_bird/lake.json`, so that it is said once. */
  readonly formatDamage?: string;
  /**
   * Batches an index named that were not in the lake when fetched (deleted by a merge or a forget
   * racing this pull): pending, so that the batch replacing one is fetched, not skipped.
   */
  readonly vanished?: string[];
}

/**
 * The pull state, or a fresh one when it is absent, of another lake, or damaged: a pull from a
 * fresh state reads every series again, and the keyed ingest adds none of the rows twice.
 */
export function readPullState(paths: SyncPaths, source: string): PullState {
  const doc = readJson(paths.pullState);
  const fresh: PullState = { source, clients: {}, deferred: [] };
  if (!isRecord(doc) || doc.source !== source || !isRecord(doc.clients) || !Array.isArray(doc.deferred)) return fresh;
  const clients: Record<string, PullCursor> = {};
  for (const [client, cursor] of Object.entries(doc.clients)) {
    if (!isRecord(cursor) || !isSeq(cursor.seq) || typeof cursor.etag !== 'string' || clientIdProblem(client) !== null) return fresh;
    const listed = Array.isArray(cursor.listed) && cursor.listed.every((k) => typeof k === 'string') ? (cursor.listed as string[]) : undefined;
    clients[client] = { seq: cursor.seq, etag: cursor.etag, ...(listed ? { listed } : {}), ...(typeof cursor.damage === 'string' ? { damage: cursor.damage } : {}) };
  }
  const deferred = (doc.deferred as unknown[]).filter((b): b is KnownBatch => isRecord(b) && typeof b.key === 'string' && typeof b.client === 'string' && typeof b.table === 'string' && typeof b.date === 'string');
  const listed = Array.isArray(doc.listed) && doc.listed.every((k) => typeof k === 'string') ? (doc.listed as string[]) : undefined;
  return {
    source,
    clients,
    deferred,
    ...(isRecord(doc.database) ? { database: doc.database as unknown as DatabaseCursor } : {}),
    ...(listed ? { listed } : {}),
    ...(typeof doc.formatDamage === 'string' ? { formatDamage: doc.formatDamage } : {}),
    ...(Array.isArray(doc.vanished) ? { vanished: (doc.vanished as unknown[]).filter((k): k is string => typeof k === 'string') } : {}),
  };
}

/**
 * Written whole, not fsynced: what it moves past is durable already (step 4 fsyncs the rows it
 * adds), and a state lost or damaged by a crash is read as absent, after which the next pull
 * reads every series again and the keyed ingest adds no row twice (PROTOCOL.md, "Pull"). Two
 * fsyncs a pull were ~20 ms of a ~360 ms pull on a quiet disk, far more on a busy one.
 */
export function writePullState(paths: SyncPaths, state: PullState): void {
  writeFileAtomic(paths.pullState, `${JSON.stringify(state)}\n`, { mode: 0o600, durable: false });
}

// ---- lines kept per series (forgets carried, batches withdrawn) ------------------------------

/** The lines of a small state file, as a set; a missing or unreadable file is empty (a push then carries or deletes again: both are idempotent). */
export function readLineSet(path: string): Set<string> {
  try {
    return new Set(readFileSync(path, 'utf8').split('\n').filter((l) => l !== ''));
  } catch {
    // missing or unreadable: the push carries or deletes again, which is idempotent
    return new Set();
  }
}

/** Adds lines to such a file, written whole (a crash leaves the old set or the new). */
export function addLines(path: string, lines: Iterable<string>): void {
  const all = readLineSet(path);
  for (const l of lines) all.add(l);
  writeFileAtomic(path, [...all].map((l) => `${l}\n`).join(''), { mode: 0o600 });
}
