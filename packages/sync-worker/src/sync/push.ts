// `bird push` / `bird-sync push`: this machine's new rows to its own `client=` series of a
// lake, exactly once. The steps and why each is safe to interrupt: PROTOCOL.md, "Push".
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import PQueue from 'p-queue';
import { BirdError, TABLE_NAMES, quoteIdent, quoteLiteral, resolveClientId, writeFileAtomic, writeFileAtomicWith, type BirdConfig, type BirdLayout, type RemoteConfig, type TableName, ROW_KEY } from '@bird/core';
import { ConnectionOptions, openStore, type BirdConnection } from '@bird/store';
import {
  LAKE_FORMAT_KEY,
  createRemoteBackend,
  headKey,
  lakeFormatDoc,
  lakeKey,
  parseRemoteUri,
  parseSegment,
  readLakeFormat,
  readLakeJson,
  segmentKey,
  writeLakeJson,
  type ClientHead,
  type LogSegment,
  type RemoteBackend,
  type SegmentBatch,
} from '@bird/remote';
import { planPush } from './plan-sync.ts';
import { ledgerFiles, outboxSeqs, prepareSyncDirs, readPushSeq, syncPaths, trySyncLock, writePushSeq, type SyncPaths } from './sync-state.ts';
import { syncedTables } from './sync-tables.ts';

export const TRANSFER_CONCURRENCY = 8;
/** Tries per request for sync transfers: the SDK backs off between them on throttling and 5xx. */
export const SYNC_ATTEMPTS = 5;

export interface PushOptions {
  /** `YYYY-MM-DD`: only rows of this day and later. */
  readonly since?: string;
  readonly dryRun?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  /** Called as objects finish uploading: done, total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Used instead of the remote's own backend (tests count its requests). */
  readonly backend?: RemoteBackend;
}

export interface PushSummary {
  readonly remote: string;
  readonly outcome: 'done' | 'locked' | 'dry-run';
  readonly rows: number;
  readonly objects: number;
  readonly bytes: number;
  readonly seconds: number;
  /** dry-run: what would move, per table and day. */
  readonly plan: readonly { table: TableName; date: string; rows: number }[];
}

/** True for a remote a push can go to: read_write, and a folder or prefix rather than a database. */
export function isPushable(remote: RemoteConfig, root: string): boolean {
  try {
    checkPushable(remote, root);
    return true;
  } catch {
    return false;
  }
}

/** Refuses, in one sentence, a remote that cannot take a push. */
export function checkPushable(remote: RemoteConfig, root: string): void {
  if (remote.mode === 'read_only') throw new BirdError(`remote ${remote.name} is read_only; push to a read_write remote, or set mode = "read_write" for it in config.toml.`, { exitCode: 2 });
  if (parseRemoteUri(remote.type, remote.uri, { cwd: root }).database) {
    throw new BirdError(`remote ${remote.name} is a DuckDB database (${remote.uri}), which bird only reads; to push, add a remote whose uri is a folder or an S3 prefix.`, { exitCode: 2 });
  }
}

export async function push(layout: BirdLayout, config: BirdConfig, remote: RemoteConfig, options: PushOptions = {}): Promise<PushSummary> {
  const started = Date.now();
  checkPushable(remote, layout.root);
  const client = resolveClientId(options.env ?? process.env, config.client_id);
  const paths = syncPaths(layout, remote.name);
  prepareSyncDirs(paths);
  const tables = [...syncedTables(config.sync)];
  const lock = options.dryRun ? null : trySyncLock(paths);
  if (!options.dryRun && !lock) return { remote: remote.name, outcome: 'locked', rows: 0, objects: 0, bytes: 0, seconds: 0, plan: [] };
  const backend = options.backend ?? (await createRemoteBackend(remote, { attempts: SYNC_ATTEMPTS }));
  const totals = { rows: 0, objects: 0, bytes: 0 };
  try {
    const target: UploadTarget = { backend, paths, client, formatWritten: (await readLakeFormat(backend, remote.name, paths.scratch)) !== null };
    const store = openStore(layout, { onWarning: () => undefined });
    const conn = await store.connect(ConnectionOptions.minimal());
    try {
      if (options.dryRun) {
        const plan = await newRowsByDay(conn, paths, tables, options.since);
        return { remote: remote.name, outcome: 'dry-run', rows: plan.reduce((n, p) => n + p.rows, 0), objects: 0, bytes: 0, seconds: (Date.now() - started) / 1000, plan };
      }
      sweepOutbox(paths);
      const head = (await readLakeJson(backend, headKey(client), paths.scratch)) as ClientHead | null;
      const plan = planPush({ localSeq: readPushSeq(paths), remoteSeq: head?.seq ?? 0, outbox: outboxSeqs(paths) });
      for (const seq of plan.recover) await recoverSegment(conn, backend, paths, client, seq);
      for (const seq of plan.commitOnly) await commitLocally(conn, paths, seq);
      for (const seq of plan.upload) await uploadStaged(conn, target, seq, totals, options);
      const seq = Math.max(plan.nextSeq, readPushSeq(paths) + 1);
      if (await stage(conn, paths, client, seq, tables, options.since)) await uploadStaged(conn, target, seq, totals, options);
      await compactLedger(conn, paths);
    } finally {
      conn.close();
    }
  } finally {
    if (!options.backend) backend.close();
    lock?.release();
  }
  return { remote: remote.name, outcome: 'done', ...totals, seconds: (Date.now() - started) / 1000, plan: [] };
}

/** `NOT IN` the ledger, or nothing when the ledger is empty (a glob over no file is an error). */
function notPushed(paths: SyncPaths, table: TableName): string {
  const files = ledgerFiles(paths, table);
  if (files.length === 0) return 'true';
  return `CAST(${quoteIdent(ROW_KEY[table])} AS VARCHAR) NOT IN (SELECT "key" FROM read_parquet([${files.map(quoteLiteral).join(', ')}]))`;
}

function newRowsSql(paths: SyncPaths, table: TableName, since?: string): string {
  const key = quoteIdent(ROW_KEY[table]);
  const sinceClause = since ? ` AND "date" >= DATE ${quoteLiteral(since)}` : '';
  return `SELECT * FROM local.${quoteIdent(table)} WHERE ${notPushed(paths, table)}${sinceClause} QUALIFY row_number() OVER (PARTITION BY ${key} ORDER BY ${key}) = 1`;
}

async function newRowsByDay(conn: BirdConnection, paths: SyncPaths, tables: readonly TableName[], since?: string) {
  const out: { table: TableName; date: string; rows: number }[] = [];
  for (const table of tables) {
    const result = await conn.query(`SELECT CAST("date" AS VARCHAR), count(*) FROM (${newRowsSql(paths, table, since)}) GROUP BY 1 ORDER BY 1`);
    for (const [date, rows] of result.rows) out.push({ table, date: String(date), rows: Number(rows) });
  }
  return out;
}

/**
 * Stages the rows not yet pushed as `outbox/<seq>/`: one batch per table and day, named from
 * the keys it holds, and the segment that will list them. Built in a hidden folder and put in
 * place by one rename, so a crash leaves either the whole push staged or none of it.
 * Returns false when there is nothing new.
 */
async function stage(conn: BirdConnection, paths: SyncPaths, client: string, seq: number, tables: readonly TableName[], since?: string): Promise<boolean> {
  const building = join(paths.outbox, `.${seq}.${process.pid}`);
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true, mode: 0o700 });
  const batches: SegmentBatch[] = [];
  for (const table of tables) {
    const out = join(building, table);
    const copied = await conn.query(`COPY (${newRowsSql(paths, table, since)}) TO ${quoteLiteral(out)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY ("date"), FILENAME_PATTERN 'rows')`);
    if (Number(copied.rows[0]?.[0] ?? 0) === 0) continue;
    for (const part of readdirSync(out)) {
      const date = part.replace(/^date=/, '');
      const file = join(out, part, 'rows0.parquet');
      const keys = await conn.query(`SELECT CAST(${quoteIdent(ROW_KEY[table])} AS VARCHAR) AS k FROM read_parquet(${quoteLiteral(file)}) ORDER BY k`);
      const name = createHash('sha256').update(`${table}\n${keys.rows.map((r) => r[0]).join('\n')}`).digest('hex').slice(0, 32);
      const key = lakeKey({ table, client, date, batch: name });
      const dest = join(building, 'batches', key);
      mkdirSync(join(dest, '..'), { recursive: true, mode: 0o700 });
      renameSync(file, dest);
      batches.push({ key, table, date, rows: keys.rows.length, bytes: statSync(dest).size });
    }
    rmSync(out, { recursive: true, force: true });
  }
  if (batches.length === 0) {
    rmSync(building, { recursive: true, force: true });
    return false;
  }
  const segment: LogSegment = { version: 1, client, seq, batches };
  writeFileAtomic(join(building, 'segment.json'), `${JSON.stringify(segment)}\n`, { mode: 0o600 });
  renameSync(building, join(paths.outbox, String(seq)));
  return true;
}

/**
 * Uploads a staged push: its batches (any order, in parallel), then its segment, then the
 * head that names it. Every object has a fixed name and fixed bytes, so a retry after any
 * interruption writes the same objects again; readers find a batch only through a segment
 * the head names, so none sees a push half done. Then the local commit.
 */
interface UploadTarget {
  readonly backend: RemoteBackend;
  readonly paths: SyncPaths;
  readonly client: string;
  /** False until `_bird/lake.json` is known to be on the remote. */
  formatWritten: boolean;
}

async function uploadStaged(conn: BirdConnection, target: UploadTarget, seq: number, totals: { rows: number; objects: number; bytes: number }, options: PushOptions): Promise<void> {
  const { backend, paths, client } = target;
  const dir = join(paths.outbox, String(seq));
  const segment = readStagedSegment(dir);
  if (!target.formatWritten) {
    await writeLakeJson(backend, LAKE_FORMAT_KEY, lakeFormatDoc(), paths.scratch);
    target.formatWritten = true;
  }
  const queue = new PQueue({ concurrency: TRANSFER_CONCURRENCY });
  let done = 0;
  await Promise.all(
    segment.batches.map((b) =>
      queue.add(async () => {
        await backend.put(b.key, join(dir, 'batches', b.key));
        options.onProgress?.(++done, segment.batches.length);
      }),
    ),
  );
  await writeLakeJson(backend, segmentKey(client, seq), segment, paths.scratch);
  const head: ClientHead = { version: 1, client, seq };
  await writeLakeJson(backend, headKey(client), head, paths.scratch);
  for (const b of segment.batches) {
    totals.rows += b.rows;
    totals.bytes += b.bytes;
  }
  totals.objects += segment.batches.length + 2;
  await commitLocally(conn, paths, seq);
}

function readStagedSegment(dir: string): LogSegment {
  const file = join(dir, 'segment.json');
  return parseSegment(JSON.parse(readFileSync(file, 'utf8')), file);
}

/** Puts a staged push's keys on the ledger, records its number, and clears it from the outbox. */
async function commitLocally(conn: BirdConnection, paths: SyncPaths, seq: number): Promise<void> {
  const dir = join(paths.outbox, String(seq));
  const segment = readStagedSegment(dir);
  for (const table of TABLE_NAMES) {
    const files = segment.batches.filter((b) => b.table === table).map((b) => join(dir, 'batches', b.key));
    await ledgerFromBatches(conn, paths, table, seq, files);
  }
  if (readPushSeq(paths) < seq) writePushSeq(paths, seq);
  // Out of the outbox by one rename: deleting the folder file by file, a kill would leave a
  // staged push with some batches gone, which the next run could neither upload nor commit.
  const done = join(paths.outbox, `.done-${seq}-${process.pid}`);
  renameSync(dir, done);
  rmSync(done, { recursive: true, force: true });
}

/** Staging folders and committed pushes that a killed run left half deleted (only the lock holder calls this). */
function sweepOutbox(paths: SyncPaths): void {
  for (const name of readdirSync(paths.outbox)) if (name.startsWith('.')) rmSync(join(paths.outbox, name), { recursive: true, force: true });
}

/** The keys of push `seq`'s batch files of `table` onto the ledger. */
async function ledgerFromBatches(conn: BirdConnection, paths: SyncPaths, table: TableName, seq: number, files: readonly string[]): Promise<void> {
  if (files.length === 0) return;
  await writeLedger(conn, paths, table, `${seq}`, `SELECT CAST(${quoteIdent(ROW_KEY[table])} AS VARCHAR) AS "key" FROM read_parquet([${files.map(quoteLiteral).join(', ')}])`);
}

/** Writes `pushed/<table>/<name>.parquet` from a query of keys, atomically (a crash leaves it whole or absent). */
async function writeLedger(conn: BirdConnection, paths: SyncPaths, table: TableName, name: string, keysSql: string): Promise<void> {
  await writeFileAtomicWith(join(paths.pushed, table, `${name}.parquet`), async (tmp) => {
    await conn.query(`COPY (${keysSql}) TO ${quoteLiteral(tmp)} (FORMAT parquet)`);
  });
}

/** A segment of this client on the remote that this machine has no record of: its batches' keys go on the ledger. */
async function recoverSegment(conn: BirdConnection, backend: RemoteBackend, paths: SyncPaths, client: string, seq: number): Promise<void> {
  const key = segmentKey(client, seq);
  const doc = await readLakeJson(backend, key, paths.scratch);
  if (doc !== null) {
    const segment = parseSegment(doc, key);
    const dir = join(paths.scratch, `recover-${seq}`);
    rmSync(dir, { recursive: true, force: true });
    for (const table of TABLE_NAMES) {
      const files: string[] = [];
      for (const b of segment.batches.filter((x) => x.table === table)) {
        const dest = join(dir, b.key);
        await backend.get(b.key, dest);
        files.push(dest);
      }
      await ledgerFromBatches(conn, paths, table, seq, files);
    }
    rmSync(dir, { recursive: true, force: true });
  }
  if (readPushSeq(paths) < seq) writePushSeq(paths, seq);
}

/** One ledger file per push adds up (a year of pushes every 10 minutes is 52,000): merge them past a few dozen. */
async function compactLedger(conn: BirdConnection, paths: SyncPaths): Promise<void> {
  for (const table of TABLE_NAMES) {
    const files = ledgerFiles(paths, table);
    if (files.length < 32) continue;
    const name = `m${readPushSeq(paths)}-${Date.now()}`;
    await writeLedger(conn, paths, table, name, `SELECT DISTINCT "key" FROM read_parquet([${files.map(quoteLiteral).join(', ')}])`);
    // Duplicates between the merged file and a source left by a crash are harmless: the ledger is a set.
    for (const f of files) if (existsSync(f)) rmSync(f, { force: true });
  }
}
