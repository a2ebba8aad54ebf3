// `bird pull` / `bird-sync pull`: other clients' rows from a lake into `cached_<name>`, exactly
// once. The steps and why each is safe to interrupt: PROTOCOL.md, "Pull".
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import PQueue from 'p-queue';
import { TABLE_NAMES, resolveClientId, type BirdConfig, type BirdLayout, type RemoteConfig, type TableName } from '@bird/core';
import { isDatabaseRemote, registerCachedRemote } from '@bird/store';
import { HEADS_PREFIX, createRemoteBackend, headKey, parseHeadKey, parseLakeKey, parseSegment, readLakeFormat, readLakeJson, segmentKey, type ClientHead, type RemoteBackend } from '@bird/remote';
import { ingestIntoCache, type IncomingGroup } from './cache-ingest.ts';
import { pullDatabase } from './pull-database.ts';
import { planFetch, planHeadReads, planSegmentReads, type KnownBatch, type PullCursor } from './plan-sync.ts';
import { prepareSyncDirs, readPullState, syncPaths, trySyncLock, writePullState } from './sync-state.ts';
import { syncedTables } from './sync-tables.ts';
import { SYNC_ATTEMPTS, TRANSFER_CONCURRENCY } from './push.ts';

export interface PullOptions {
  readonly since?: string;
  /** Only this client's series (default: every client but this machine). */
  readonly client?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly onProgress?: (done: number, total: number) => void;
  readonly backend?: RemoteBackend;
  /** Told of a problem that did not stop the pull (the history index could not be updated). */
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

export async function pull(layout: BirdLayout, config: BirdConfig, remote: RemoteConfig, options: PullOptions = {}): Promise<PullSummary> {
  const started = Date.now();
  const self = resolveClientId(options.env ?? process.env, config.client_id);
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
  const backend = options.backend ?? (await createRemoteBackend(remote, { attempts: SYNC_ATTEMPTS }));
  let rows = 0;
  let objects = 0;
  let bytes = 0;
  try {
    const format = await readLakeFormat(backend, remote.name, paths.scratch);
    const state = readPullState(paths, backend.location);
    const cursors: Record<string, PullCursor> = { ...state.clients };
    // A lake without `_bird/` (made by other tools, or by hand) has no index to follow: it is
    // listed whole on every pull, and the state remembers which batches were added already.
    const unindexed = format === null;
    const listed = new Set(state.listed ?? []);
    const known: KnownBatch[] = unindexed ? (await listLakeBatches(backend)).filter((b) => !listed.has(b.key)) : [...state.deferred];
    if (!unindexed) {
      const heads = (await backend.list(HEADS_PREFIX)).flatMap((o) => {
        const client = parseHeadKey(o.key);
        return client === null ? [] : [{ client, etag: o.etag }];
      });
      for (const client of planHeadReads(heads, cursors, self, options.client)) {
        const head = (await readLakeJson(backend, headKey(client), paths.scratch)) as ClientHead | null;
        if (!head || typeof head.seq !== 'number') continue;
        const etag = heads.find((h) => h.client === client)!.etag;
        for (const seq of planSegmentReads(cursors[client]?.seq ?? 0, head.seq)) {
          const key = segmentKey(client, seq);
          const doc = await readLakeJson(backend, key, paths.scratch);
          if (doc === null) throw new Error(`${key} is missing from remote ${remote.name} although ${headKey(client)} names it; the lake's index is damaged.`);
          for (const b of parseSegment(doc, key).batches) known.push({ ...b, client });
        }
        cursors[client] = { seq: head.seq, etag };
      }
    }
    const wanted = options.client ?? null;
    const { fetch, defer } = planFetch(known.filter((b) => (wanted === null ? b.client !== self : b.client === wanted)), { tables: syncedTables(config.sync), since: options.since });
    const elsewhere = known.filter((b) => (wanted === null ? b.client === self : b.client !== wanted));

    // Download (no lock but our own: the network is slow), then add to the cache under the compaction lock.
    rmSync(paths.incoming, { recursive: true, force: true });
    mkdirSync(paths.incoming, { recursive: true, mode: 0o700 });
    const queue = new PQueue({ concurrency: TRANSFER_CONCURRENCY });
    let done = 0;
    await Promise.all(
      fetch.map((b) =>
        queue.add(async () => {
          bytes += await backend.get(b.key, join(paths.incoming, b.key));
          objects++;
          options.onProgress?.(++done, fetch.length);
        }),
      ),
    );
    if (fetch.length > 0) {
      await registerCachedRemote(layout, remote.name);
      rows = await ingestIntoCache(layout, config.storage.mode, remote.name, groupByDay(fetch, paths.incoming), options.onWarning);
    }
    // Only now does the state move on: a crash before this re-reads and re-fetches, and the ingest adds nothing twice.
    writePullState(paths, unindexed ? { source: backend.location, clients: {}, deferred: [], listed: [...listed, ...fetch.map((b) => b.key)] } : { source: backend.location, clients: cursors, deferred: [...defer, ...elsewhere] });
    rmSync(paths.incoming, { recursive: true, force: true });
  } finally {
    if (!options.backend) backend.close();
    lock.release();
  }
  return { remote: remote.name, outcome: 'done', rows, objects, bytes, seconds: (Date.now() - started) / 1000 };
}

/** The downloaded batches, by table and day (the unit a cache is added to). */
function groupByDay(batches: readonly KnownBatch[], incoming: string): IncomingGroup[] {
  const groups = new Map<string, { table: TableName; date: string; files: string[] }>();
  for (const b of batches) {
    const id = `${b.table}\n${b.date}`;
    const group = groups.get(id) ?? groups.set(id, { table: b.table, date: b.date, files: [] }).get(id)!;
    group.files.push(join(incoming, b.key));
  }
  return [...groups.values()];
}

/** Every batch of a lake, from a listing of each table's prefix. */
async function listLakeBatches(backend: RemoteBackend): Promise<KnownBatch[]> {
  const listings = await Promise.all(TABLE_NAMES.map((table) => backend.list(`${table}/`)));
  return listings.flat().flatMap((o) => {
    const batch = parseLakeKey(o.key);
    return batch === null ? [] : [{ key: o.key, table: batch.table, date: batch.date, client: batch.client, rows: 0, bytes: o.size }];
  });
}
