// `bird pull` / `bird-sync pull`: other clients' rows from a lake into `cached_<name>`, exactly
// once. The steps and why each is safe to interrupt: PROTOCOL.md, "Pull".
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import PQueue from 'p-queue';
import { DuckDBInstance } from '@duckdb/node-api';
import { TABLES, TEMP_SUFFIX, fsyncDir, quoteIdent, quoteLiteral, resolveClientId, tempPathFor, typedSelectList, waitForCompactionLock, type BirdConfig, type BirdLayout, type RemoteConfig, type TableName } from '@bird/core';
import { PLACEHOLDER_FILE, cachedPartitionDir, registerCachedRemote } from '@bird/store';
import { HEADS_PREFIX, createRemoteBackend, headKey, parseHeadKey, parseSegment, readLakeFormat, readLakeJson, segmentKey, type ClientHead, type RemoteBackend } from '@bird/remote';
import { ROW_KEY, ROW_ORDER } from '../table-keys.ts';
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

/** How long a pull waits for a compaction to finish before it gives up (and retries next run). */
const COMPACTION_WAIT_MS = 60_000;

export async function pull(layout: BirdLayout, config: BirdConfig, remote: RemoteConfig, options: PullOptions = {}): Promise<PullSummary> {
  const started = Date.now();
  const self = resolveClientId(options.env ?? process.env, config.client_id);
  const paths = syncPaths(layout, remote.name);
  prepareSyncDirs(paths);
  const lock = trySyncLock(paths);
  if (!lock) return { remote: remote.name, outcome: 'locked', rows: 0, objects: 0, bytes: 0, seconds: 0 };
  const backend = options.backend ?? (await createRemoteBackend(remote, { attempts: SYNC_ATTEMPTS }));
  let rows = 0;
  let objects = 0;
  let bytes = 0;
  try {
    const format = await readLakeFormat(backend, remote.name, paths.scratch);
    const state = readPullState(paths, backend.location);
    const cursors: Record<string, PullCursor> = { ...state.clients };
    const known: KnownBatch[] = [...state.deferred];
    if (format !== null) {
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
      rows = await ingest(layout, remote.name, paths.incoming, fetch);
    }
    // Only now does the state move on: a crash before this re-reads and re-fetches, and the ingest adds nothing twice.
    writePullState(paths, { source: backend.location, clients: cursors, deferred: [...defer, ...elsewhere] });
    rmSync(paths.incoming, { recursive: true, force: true });
  } finally {
    if (!options.backend) backend.close();
    lock.release();
  }
  return { remote: remote.name, outcome: 'done', rows, objects, bytes, seconds: (Date.now() - started) / 1000 };
}

/**
 * Adds the downloaded batches to `cached/<name>/<table>/date=<d>/`, one file per day, leaving
 * out every row whose key the cache already holds: a batch fetched again after a crash, or the
 * same rows reached twice, adds nothing. Holds the compaction lock so no merge changes the
 * folder between the check and the rename. Returns the rows added.
 */
async function ingest(layout: BirdLayout, remote: string, incoming: string, batches: readonly KnownBatch[]): Promise<number> {
  const lock = await waitForCompactionLock(layout, COMPACTION_WAIT_MS);
  if (!lock) throw new Error('a compaction held the store for over a minute; the pull stopped before changing anything, and the next one retries.');
  const instance = await DuckDBInstance.create(':memory:', { enable_external_file_cache: 'false' });
  const connection = await instance.connect();
  let added = 0;
  try {
    const groups = new Map<string, KnownBatch[]>();
    for (const b of batches) {
      const day = `${b.table}\n${b.date}`;
      groups.set(day, [...(groups.get(day) ?? []), b]);
    }
    for (const group of groups.values()) {
      const { table, date } = group[0]!;
      const dir = cachedPartitionDir(layout, remote, table, date);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const present = readdirSync(dir).filter((n) => n.endsWith('.parquet') && n !== PLACEHOLDER_FILE && !n.startsWith('.') && !n.endsWith(TEMP_SUFFIX));
      const key = quoteIdent(ROW_KEY[table]);
      const inputs = group.map((b) => quoteLiteral(join(incoming, b.key))).join(', ');
      const notCached = present.length === 0 ? '' : ` WHERE CAST(${key} AS VARCHAR) NOT IN (SELECT CAST(${key} AS VARCHAR) FROM read_parquet([${present.map((n) => quoteLiteral(join(dir, n))).join(', ')}], union_by_name = true))`;
      const output = join(dir, `p-${createHash('sha256').update(group.map((b) => b.key).sort().join('\n')).digest('hex').slice(0, 32)}.parquet`);
      const tmp = tempPathFor(output, layout.tmp);
      const result = await connection.runAndReadAll(
        `COPY (SELECT ${typedSelectList(TABLES[table as TableName])} FROM read_parquet([${inputs}], hive_partitioning = true, hive_types = {'date': DATE}, union_by_name = true)${notCached} QUALIFY row_number() OVER (PARTITION BY ${key} ORDER BY ${key}) = 1 ORDER BY ${ROW_ORDER[table]}) TO ${quoteLiteral(tmp)} (FORMAT parquet, COMPRESSION zstd)`,
      );
      const count = Number(result.getRows()[0]?.[0] ?? 0);
      if (count === 0) {
        rmSync(tmp, { force: true });
        continue;
      }
      if (!lock.stillHeld()) {
        rmSync(tmp, { force: true });
        throw new Error('another process took the compaction lock over; the pull stopped, and the next one retries.');
      }
      // Durable before the state moves past these batches: a power cut must not lose rows the state calls pulled.
      const fd = openSync(tmp, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, output);
      fsyncDir(dir);
      added += count;
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
    lock.release();
  }
  return added;
}
