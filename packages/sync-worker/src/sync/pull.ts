// `bird pull` / `bird-sync pull`: other clients' rows from a lake into `cached_<name>`, exactly
// once. The steps and why each is safe to interrupt: PROTOCOL.md, "Pull".
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import PQueue from 'p-queue';
import { TABLE_NAMES, clientIdProblem, forgotten, hasTombstones, resolveClientId, type BirdConfig, type BirdLayout, type RemoteConfig, type TableName } from '@bird/core';
import { ConnectionOptions, flatIncomingName, isDatabaseRemote, openStore, registerCachedRemote, storageModeOf, sweepBlobsOfStore, type IncomingGroup } from '@bird/store';
import { RemoteAccessError, createRemoteBackend, parseLakeKey, readLakeFormat, type RemoteBackend } from '@bird/remote';
import { fetchBlobs } from './lake-blobs.ts';
import { pullDatabase } from './pull-database.ts';
import { pendingKeys, planFetch, planHeadReads, readFrom, skipMergedTaken, takenBefore, type KnownBatch, type PullCursor } from './plan-sync.ts';
import { applyForgets, type SeriesForgets } from './apply-forgets.ts';
import { listHeads, listSeriesBatches, readHead, readLog } from './series-index.ts';
import { prepareSyncDirs, readPullState, readRefusal, seriesPaths, syncPaths, trySyncLock, writePullState, writtenSeries } from './sync-state.ts';
import { syncedTables } from './sync-tables.ts';
import { SYNC_ATTEMPTS, TRANSFER_CONCURRENCY } from './push.ts';

export interface PullOptions {
  readonly since?: string;
  /** Only this client's series (default: every client but this store's own). */
  readonly client?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly onProgress?: (done: number, total: number) => void;
  readonly backend?: RemoteBackend;
  /** Told of a problem that did not stop the pull (a damaged index read by listing, the history index not updated). */
  readonly onWarning?: (message: string) => void;
}

export interface PullSummary {
  readonly remote: string;
  readonly outcome: 'done' | 'locked';
  /** Rows added to the cache (rows already there are not counted again). */
  readonly rows: number;
  readonly objects: number;
  readonly bytes: number;
  readonly seconds: number;
}

/**
 * The series this store writes to a lake: never pulled back into its own cache. Every series it
 * has push state for, and the id it would push as now (before its first push); not a series it
 * was refused (another machine writes it: those rows are a teammate's, and are pulled).
 */
export function ownSeries(paths: ReturnType<typeof syncPaths>, config: BirdConfig, env: NodeJS.ProcessEnv): Set<string> {
  const candidates = new Set([...writtenSeries(paths), resolveClientId(env, config.client_id), ...(config.client_id ? [config.client_id] : [])]);
  return new Set([...candidates].filter((client) => clientIdProblem(client) !== null || readRefusal(seriesPaths(paths, client)) === null));
}

export async function pull(layout: BirdLayout, config: BirdConfig, remote: RemoteConfig, options: PullOptions = {}): Promise<PullSummary> {
  const started = Date.now();
  const env = options.env ?? process.env;
  const warn = options.onWarning ?? (() => undefined);
  const paths = syncPaths(layout, remote.name);
  prepareSyncDirs(paths);
  const lock = trySyncLock(paths);
  if (!lock) return { remote: remote.name, outcome: 'locked', rows: 0, objects: 0, bytes: 0, seconds: 0 };
  if (isDatabaseRemote(remote, layout)) {
    try {
      return { ...(await pullDatabase(layout, config, remote, paths, options)), seconds: (Date.now() - started) / 1000 };
    } finally {
      lock.release();
    }
  }
  const self = ownSeries(paths, config, env);
  const backend = options.backend ?? (await createRemoteBackend(remote, { attempts: SYNC_ATTEMPTS }));
  let rows = 0;
  let objects = 0;
  let bytes = 0;
  try {
    const state = readPullState(paths, backend.location);
    let formatDamage: string | undefined;
    const format = await readLakeFormat(backend, remote.name, paths.scratch, (damage) => (formatDamage = damage.message));
    // Said once per damage, not at every pull until someone pushes (a push writes the object again).
    if (formatDamage !== undefined && formatDamage !== state.formatDamage) warn(`remote ${remote.name}: ${formatDamage}; pulling by its heads all the same.`);
    const cursors: Record<string, PullCursor> = { ...state.clients };
    // A lake without `_bird/` (made by other tools, or by hand) has no index to follow: it is
    // listed whole on every pull, and the state remembers which batches were added already.
    const unindexed = format === null;
    const listed = new Set(state.listed ?? []);
    let known: KnownBatch[] = unindexed ? (await listLakeBatches(backend)).filter((b) => !listed.has(b.key)) : checkedBatches(state.deferred);
    const withdrawn = new Set<string>();
    const forgets: SeriesForgets[] = [];
    // Replaced batches this machine has not taken yet: a merge of any of them is fetched.
    const pending = pendingKeys(state);
    const vanished: string[] = [];
    if (!unindexed) {
      const heads = await listHeads(backend);
      for (const client of planHeadReads(heads, cursors, self, options.client)) {
        const etag = heads.find((h) => h.client === client)!.etag;
        const read = await readSeries(backend, client, cursors[client], etag, paths.scratch, pending, (m) => warn(`remote ${remote.name}: ${m}`));
        if (read === null) continue;
        known.push(...skipMergedTaken(read.batches, cursors[client]?.seq ?? 0, pending));
        for (const k of read.withdrawn) withdrawn.add(k);
        // A checkpoint lists every live batch of its series: one pending here that it does not list is gone.
        if (read.live) for (const k of pending) if (parseLakeKey(k)?.client === client && !read.live.has(k)) withdrawn.add(k);
        if (read.forgotten.length > 0 || read.forgottenBefore) forgets.push({ series: client, ids: read.forgotten, ...(read.forgottenBefore ? { before: read.forgottenBefore } : {}) });
        cursors[client] = read.cursor;
      }
    }
    // What teammates forgot leaves this machine before anything new arrives, and stays out.
    if (forgets.length > 0) {
      await applyForgets(layout, config, forgets);
      // And the blobs only their outputs named (a run holding the blobs too long: the next forget or compaction).
      await sweepBlobsOfStore(layout, (m) => warn(m));
    }
    // A batch its owner withdrew (written again without what was forgotten) is never fetched, nor
    // one of a day whose every command a range forget of its series takes (any lake's copy).
    known = known.filter((b) => !withdrawn.has(b.key) && !wholeDayForgotten(layout, b));
    const wanted = options.client ?? null;
    const mine = (b: KnownBatch) => (wanted === null ? !self.has(b.client) : b.client === wanted);
    const { fetch, defer } = planFetch(known.filter(mine), { tables: syncedTables(config.sync), since: options.since });
    const elsewhere = known.filter((b) => !mine(b));

    // Download (no lock but our own: the network is slow), then add to the cache under the compaction lock.
    emptyFolder(paths.incoming);
    const queue = new PQueue({ concurrency: TRANSFER_CONCURRENCY });
    let done = 0;
    const fetched: (KnownBatch & { file: string })[] = [];
    await Promise.all(
      fetch.map((b, at) =>
        queue.add(async () => {
          let size: number;
          try {
            size = await backend.get(b.key, incomingFile(paths.incoming, b, at));
          } catch (error) {
            // An index naming a batch that is not there: said once, and the pull goes on without it.
            if (!(error instanceof RemoteAccessError && error.failure === 'missing-object')) throw error;
            warn(`remote ${remote.name}: ${b.key} is named by ${b.client}'s index but is not in the lake; left out.`);
            vanished.push(b.key);
            return;
          }
          bytes += size; // after the await: `bytes += await …` would add to a value read before it
          objects++;
          fetched.push({ ...b, file: incomingFile(paths.incoming, b, at) });
          options.onProgress?.(++done, fetch.length);
        }),
      ),
    );
    if (fetched.length > 0) {
      await registerCachedRemote(layout, remote.name);
      const keyOf = new Map(fetched.map((b) => [b.file, b.key]));
      const nameOf = (file: string) => `batch ${keyOf.get(file) ?? file} of remote ${remote.name}`;
      rows = await storageModeOf(layout, config).ingestFiles(remote.name, groupByDay(fetched), { fromSeries: true, nameOf, warn });
      // Then the blobs those outputs rows name (eagerly: LAKE.md, "Blobs"); before the state moves
      // on, so a pull killed meanwhile fetches the batches again, and with them what they name.
      const outputs = fetched.filter((b) => b.table === 'outputs').map((b) => ({ client: b.client, file: b.file }));
      if (outputs.length > 0) {
        const conn = await openStore(layout, { onWarning: () => undefined }).connect(ConnectionOptions.minimal());
        try {
          const blobs = await fetchBlobs(layout, conn, backend, outputs, paths.scratch, (m) => warn(`remote ${remote.name}: ${m}`));
          objects += blobs.objects;
          bytes += blobs.bytes;
        } finally {
          conn.close();
        }
      }
    }
    // Only now does the state move on: a crash before this re-reads and re-fetches, and the ingest adds nothing twice.
    // A vanished batch stays pending until a segment withdraws it (its rows then come in the batch that replaced it).
    const stillVanished = [...new Set([...(state.vanished ?? []), ...vanished])].filter((k) => !withdrawn.has(k));
    const said = { ...(formatDamage !== undefined ? { formatDamage } : {}), ...(stillVanished.length > 0 ? { vanished: stillVanished } : {}) };
    writePullState(paths, unindexed ? { source: backend.location, clients: {}, deferred: [], listed: [...listed, ...fetch.map((b) => b.key)], ...said } : { source: backend.location, clients: cursors, deferred: [...defer, ...elsewhere], ...said });
    emptyFolder(paths.incoming);
  } finally {
    if (!options.backend) backend.close();
    lock.release();
  }
  return { remote: remote.name, outcome: 'done', rows, objects, bytes, seconds: (Date.now() - started) / 1000 };
}

/**
 * What is new in one client's series since `cursor`: from its index when it can be followed,
 * else from a listing of its folders (each listed batch taken once, `cursor.listed`). A damaged
 * index is reported once per new damage, and never stops the pull. Null: nothing to read now
 * (the head vanished between the listing and the read).
 */
interface SeriesRead {
  readonly batches: KnownBatch[];
  readonly cursor: PullCursor;
  /** Batches withdrawn in the segments read. */
  readonly withdrawn: readonly string[];
  /** Ids the owner forgot, in the segments read. */
  readonly forgotten: readonly string[];
  /** The owner's furthest range forget in the segments read. */
  readonly forgottenBefore?: string;
  /** Every live batch of the series, when a checkpoint was read. */
  readonly live?: ReadonlySet<string>;
}

async function readSeries(backend: RemoteBackend, client: string, cursor: PullCursor | undefined, etag: string, scratch: string, pending: ReadonlySet<string>, warn: (m: string) => void): Promise<SeriesRead | null> {
  const from = cursor?.seq ?? 0;
  const head = await readHead(backend, client, scratch);
  if (head.kind === 'missing') return null;
  let damage: string | null = null;
  if (head.kind === 'damaged') damage = head.damage.message;
  else if (head.head.seq < from) damage = `${head.head.client}'s head names segment ${head.head.seq}, behind the ${from} already read`;
  let forgets: Pick<SeriesRead, 'withdrawn' | 'forgotten' | 'forgottenBefore'> = { withdrawn: [], forgotten: [] };
  if (damage === null && head.kind === 'present') {
    // Behind the series' checkpoint, the segments before it may be gone: it is read instead of them.
    const start = readFrom(from, head.head.checkpoint);
    const log = await readLog(backend, client, start, head.head.seq, scratch);
    for (const r of log.rejected) warn(`left out ${r}.`);
    forgets = { withdrawn: log.withdrawn, forgotten: log.forgotten, ...(log.forgottenBefore ? { forgottenBefore: log.forgottenBefore } : {}), ...(log.live ? { live: log.live } : {}) };
    if (log.damage === null) {
      const taken = new Set(cursor?.listed ?? []);
      return { batches: log.batches.filter((b) => !taken.has(b.key) && !takenBefore(b, from, pending)), cursor: { seq: head.head.seq, etag }, ...forgets };
    }
    damage = log.damage.message;
  }
  // The index cannot be followed: the series' folders say what is there.
  const taken = new Set(cursor?.listed ?? []);
  const fresh = (await listSeriesBatches(backend, client)).filter((b) => !taken.has(b.key));
  if (damage !== cursor?.damage) warn(`${damage}; series ${client} is read by listing its folders until its owner's next push repairs the index (\`bird remote repair\`).`);
  return { batches: fresh, cursor: { seq: from, etag, listed: [...taken, ...fresh.map((b) => b.key)], damage: damage! }, ...forgets };
}

/** True when a range forget kept here takes every command `b` (a batch of one series and one UTC day) can hold. */
function wholeDayForgotten(layout: BirdLayout, b: KnownBatch): boolean {
  if (!hasTombstones(layout)) return false;
  const lastMicro = BigInt(Date.parse(`${b.date}T00:00:00.000Z`) + DAY_MS) * 1000n - 1n;
  return forgotten(layout).before(b.client, lastMicro);
}

const DAY_MS = 86_400_000;

/** Deferred batches from the state file, each checked again as a lake key (the file is input too). */
function checkedBatches(batches: readonly KnownBatch[]): KnownBatch[] {
  return batches.flatMap((b) => {
    const parsed = parseLakeKey(b.key);
    return parsed === null ? [] : [{ key: b.key, table: parsed.table, date: parsed.date, client: parsed.client, rows: b.rows, bytes: b.bytes }];
  });
}

/** The downloaded batches, by table and day (the unit a cache is added to); table and day come from each key. */
function groupByDay(batches: readonly (KnownBatch & { file: string })[]): IncomingGroup[] {
  const groups = new Map<string, { table: TableName; date: string; files: string[] }>();
  for (const b of batches) {
    const key = parseLakeKey(b.key);
    if (key === null) continue;
    const id = `${key.table}\n${key.date}`;
    const group = groups.get(id) ?? groups.set(id, { table: key.table, date: key.date, files: [] }).get(id)!;
    group.files.push(b.file);
  }
  return [...groups.values()];
}

/**
 * Removes what `dir` holds, keeping the folder (prepareSyncDirs made it): a pull of a few batches
 * makes and removes a handful of entries, and on a busy disk each costs milliseconds.
 */
function emptyFolder(dir: string): void {
  for (const name of readdirSync(dir)) rmSync(join(dir, name), { recursive: true, force: true });
}

/**
 * Where a batch is downloaded to: a folder per series (its lake folder's name, so no longer than
 * on the lake) holding every day's batches, named by their table, day and place in the fetch list.
 */
function incomingFile(incoming: string, b: KnownBatch, ordinal: number): string {
  return join(incoming, `client=${b.client}`, flatIncomingName(`${b.table}/date=${b.date}/${ordinal}.parquet`));
}

/** Every batch of a lake, from a listing of each table's prefix. */
async function listLakeBatches(backend: RemoteBackend): Promise<KnownBatch[]> {
  const listings = await Promise.all(TABLE_NAMES.map((table) => backend.list(`${table}/`)));
  return listings.flat().flatMap((o) => {
    const batch = parseLakeKey(o.key);
    return batch === null ? [] : [{ key: o.key, table: batch.table, date: batch.date, client: batch.client, rows: 0, bytes: o.size }];
  });
}
