// `bird push` / `bird-sync push`: this store's new rows to a lake, each into the series of its
// own client id, exactly once. The steps and why each is safe to interrupt: PROTOCOL.md, "Push".
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import PQueue from 'p-queue';
import { BirdError, TABLE_NAMES, clientIdProblem, forgotten, hasTombstones, quarantineFile, quoteIdent, quoteLiteral, settleClientId, shortHostname, writeFileAtomic, ROW_KEY, ROW_ORDER, type BirdConfig, type BirdLayout, type RemoteConfig, type TableName } from '@bird/core';
import { ConnectionOptions, expireMirrorListing, openStore, type BirdConnection } from '@bird/store';
import {
  LAKE_FORMAT_KEY,
  LakeIndexDamage,
  createRemoteBackend,
  headDoc,
  headKey,
  lakeFormatDoc,
  lakeKey,
  parseRemoteUri,
  parseSegment,
  readLakeFormat,
  segmentDoc,
  segmentKey,
  writeLakeJson,
  type RemoteBackend,
  type SegmentBatch,
} from '@bird/remote';
import { backfillBlobs, backfillDue, deleteForgottenBlobs, deleteRangeForgottenBlobs, uploadBlobs } from './lake-blobs.ts';
import { CLIENT_COLUMN, compactLedger, ledgerFromBatches, uncommitLedger, unpushedRowsSql } from './ledger.ts';
import { migrateLegacyState } from './legacy-state.ts';
import { planSeriesPush, type HeadState, type StagedPush } from './plan-push.ts';
import { checkpointDue, deleteSegmentsBefore, stageCheckpoint } from './push-checkpoint.ts';
import { compactionToDo, stageCompaction } from './push-compaction.ts';
import { forgetsToCarry, keptOutOfPush, stageForgets } from './push-forgets.ts';
import { deleteBatchesBefore, noteRangeCarried, rangeToCarry, stageRangeForget } from './push-range-forget.ts';
import { readHead, readLog } from './series-index.ts';
import { SeriesConflict, TRANSFER_CONCURRENCY, newToken, rebuildSeries, type SeriesContext } from './series-rebuild.ts';
import { addLines, outboxSeqs, prepareSeriesDirs, prepareSyncDirs, readRefusal, remoteLedgerFiles, readSeriesState, seriesPaths, syncPaths, trySyncLock, writeRefusal, writeSeriesState, writtenSeries, type SeriesPaths, type SeriesState } from './sync-state.ts';
import { syncedTables } from './sync-tables.ts';

export { TRANSFER_CONCURRENCY } from './series-rebuild.ts';
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
  /** Told of a problem that did not stop the push (a damaged format object, rewritten). */
  readonly onWarning?: (message: string) => void;
}

export interface PushSummary {
  readonly remote: string;
  readonly outcome: 'done' | 'locked' | 'dry-run';
  readonly rows: number;
  readonly objects: number;
  readonly bytes: number;
  /** Batches a compaction merged into others (and deleted from the lake). */
  readonly merged: number;
  readonly seconds: number;
  /** dry-run: what would move, per series, table and day. */
  readonly plan: readonly { client: string; table: TableName; date: string; rows: number }[];
  /**
   * What could not be pushed, one sentence each (a series another machine writes, rows whose
   * client id cannot name a series). The other series were pushed; the push as a whole failed.
   */
  readonly problems: readonly string[];
}

/** True for a remote a push can go to: read_write, and a folder or prefix rather than a database. */
export function isPushable(remote: RemoteConfig, root: string): boolean {
  try {
    checkPushable(remote, root);
    return true;
  } catch {
    // checkPushable's reason matters only where a push is asked for; here it is a filter
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

interface Totals {
  rows: number;
  objects: number;
  bytes: number;
  merged: number;
}

interface PushContext extends SeriesContext {
  readonly tables: readonly TableName[];
  readonly since?: string;
  /** The settled client id: the series of rows of a table without client_id whose command is not stored here. */
  readonly self: string;
  readonly totals: Totals;
  readonly options: PushOptions;
  /** `[sync] lake_compaction`: merge each past day's batches of a series into one. */
  readonly compact: boolean;
  /** Each series' last checkpoint, as its head says: every head this push writes names it again. */
  readonly checkpoints: Map<string, number>;
  /** False until `_bird/lake.json` is known to be on the remote and readable. */
  formatWritten: boolean;
}

export async function push(layout: BirdLayout, config: BirdConfig, remote: RemoteConfig, options: PushOptions = {}): Promise<PushSummary> {
  const started = Date.now();
  checkPushable(remote, layout.root);
  const env = options.env ?? process.env;
  const warn = options.onWarning ?? (() => undefined);
  const paths = syncPaths(layout, remote.name);
  const tables = [...syncedTables(config.sync)];
  const summary = (over: Partial<PushSummary>): PushSummary => ({ remote: remote.name, outcome: 'done', rows: 0, objects: 0, bytes: 0, merged: 0, seconds: (Date.now() - started) / 1000, plan: [], problems: [], ...over });
  if (options.dryRun) {
    const store = openStore(layout, { onWarning: () => undefined });
    const conn = await store.connect(ConnectionOptions.minimal());
    try {
      const plan = await newRowsByDay(conn, paths, tables, config.client_id ?? '', options.since);
      return summary({ outcome: 'dry-run', rows: plan.reduce((n, p) => n + p.rows, 0), plan });
    } finally {
      conn.close();
    }
  }
  prepareSyncDirs(paths);
  const lock = trySyncLock(paths);
  if (!lock) return summary({ outcome: 'locked' });
  const backend = options.backend ?? (await createRemoteBackend(remote, { attempts: SYNC_ATTEMPTS }));
  const totals: Totals = { rows: 0, objects: 0, bytes: 0, merged: 0 };
  const problems: string[] = [];
  try {
    // The first push settles this store's identity in config.toml, if nothing did before.
    const self = await settleClientId(layout, env);
    let formatDamaged = false;
    const format = await readLakeFormat(backend, remote.name, paths.scratch, (damage) => {
      formatDamaged = true;
      warn(`remote ${remote.name}: ${damage.message}; this push writes it again.`);
    });
    const conn = await openStore(layout, { onWarning: () => undefined }).connect(ConnectionOptions.minimal());
    try {
      const ctx: PushContext = { layout, remote, backend, paths, conn, warn, tables, since: options.since, self, totals, options, compact: config.sync.lake_compaction, checkpoints: new Map(), formatWritten: format !== null && !formatDamaged };
      await migrateLegacyState(conn, backend, paths);
      const { clients, unnamable } = await clientsWithNewRows(ctx).catch(async (error: unknown) => {
        if (!(await setAsideDamagedLedgers(ctx))) throw error;
        return clientsWithNewRows(ctx);
      });
      for (const [id, rows] of unnamable) problems.push(`${rows} rows carry the client id ${JSON.stringify(id)}, which cannot name a lake series (${clientIdProblem(id)}); they stay here.`);
      // Series with nothing new still have work: a push staged and not committed, forgets to carry, or old outputs' blobs to send.
      const staged = writtenSeries(paths).filter((c) => outboxSeqs(seriesPaths(paths, c)).length > 0 || forgetsToCarry(ctx, seriesPaths(paths, c)).length > 0 || rangeToCarry(ctx, seriesPaths(paths, c)) !== null || (tables.includes('outputs') && backfillDue(seriesPaths(paths, c))));
      // And series with days to merge (asked of the ledger here: a push with nothing to do sends no more requests).
      // Not a series refused here (another machine writes it): merging is no reason to fail every push.
      if (ctx.compact) for (const c of writtenSeries(paths)) if (!staged.includes(c) && readRefusal(seriesPaths(paths, c)) === null && (await compactionToDo(ctx, seriesPaths(paths, c), 0)).length > 0) staged.push(c);
      for (const client of [...new Set([...clients, ...staged])].sort()) {
        try {
          await pushSeries(ctx, client);
        } catch (error) {
          if (!(error instanceof SeriesConflict || error instanceof LakeIndexDamage)) throw error;
          problems.push(error.message);
        }
      }
    } finally {
      conn.close();
    }
  } finally {
    if (!options.backend) backend.close();
    lock.release();
    // This machine's queries show what it pushed at once, not after the mirror's listing ages.
    await expireMirrorListing(layout, remote.name).catch(() => undefined);
  }
  return summary({ ...totals, problems });
}

/**
 * A ledger file DuckDB cannot read (cut short by a full disk, garbage) fails every query that
 * asks what is unpushed. Each is set aside in quarantine, and its series' push state with it, so
 * the next step reads the series back from the lake (its ledger rebuilt from what the lake
 * holds). Returns false when no ledger file was the trouble.
 */
async function setAsideDamagedLedgers(ctx: PushContext): Promise<boolean> {
  let found = false;
  for (const table of TABLE_NAMES) {
    for (const file of remoteLedgerFiles(ctx.paths, table)) {
      if (await batchesReadable(ctx.conn, [file])) continue;
      found = true;
      const kept = quarantineFile(ctx.layout, file);
      const client = writtenSeries(ctx.paths).find((c) => file.startsWith(join(seriesPaths(ctx.paths, c).pushed, table)));
      if (client !== undefined) rmSync(seriesPaths(ctx.paths, client).pushState, { force: true });
      ctx.warn(`remote ${ctx.remote.name}: the push ledger ${file} is damaged; it is kept in ${kept}${client !== undefined ? `, and series ${client} is read back from the lake` : ''}.`);
    }
  }
  return found;
}

/** The series with rows to push, and the rows whose client id cannot name one (count by id). */
async function clientsWithNewRows(ctx: PushContext): Promise<{ clients: string[]; unnamable: Map<string, number> }> {
  const parts = ctx.tables.map((t) => `SELECT ${CLIENT_COLUMN} AS client, count(*) AS n FROM (${unpushedRowsSql(ctx.paths, t, ctx.self, ctx.since)}) GROUP BY 1`);
  const result = await ctx.conn.query(`SELECT client, sum(n) FROM (${parts.join(' UNION ALL ')}) GROUP BY 1 ORDER BY 1`);
  const clients: string[] = [];
  const unnamable = new Map<string, number>();
  for (const [client, n] of result.rows) {
    const id = String(client);
    if (clientIdProblem(id) === null) clients.push(id);
    else unnamable.set(id, Number(n));
  }
  return { clients, unnamable };
}

async function newRowsByDay(conn: BirdConnection, paths: ReturnType<typeof syncPaths>, tables: readonly TableName[], self: string, since?: string) {
  const out: { client: string; table: TableName; date: string; rows: number }[] = [];
  for (const table of tables) {
    const result = await conn.query(`SELECT ${CLIENT_COLUMN}, CAST("date" AS VARCHAR), count(*) FROM (${unpushedRowsSql(paths, table, self, since)}) GROUP BY 1, 2 ORDER BY 1, 2`);
    for (const [client, date, rows] of result.rows) out.push({ client: String(client), table, date: String(date), rows: Number(rows) });
  }
  return out;
}

/**
 * One series: settle what an interrupted run left (planSeriesPush), check that this store is
 * still its only writer, then stage and upload what is new.
 */
async function pushSeries(ctx: PushContext, client: string, rebuilt = false): Promise<void> {
  const series = seriesPaths(ctx.paths, client);
  prepareSeriesDirs(series);
  const refusal = readRefusal(series);
  if (refusal && client !== ctx.self) {
    // Another machine writes this series, and this one has taken another id since: its rows
    // captured under the old id stay here. Said once; `bird remote repair` takes the series over.
    if (!refusal.parked) {
      ctx.warn(`the ${client} rows captured here stay here: series ${client} on remote ${ctx.remote.name} is written by another machine, and this one is ${ctx.self} now (\`bird remote repair ${ctx.remote.name} --client ${client}\` would take the series over instead).`);
      writeRefusal(series, { ...refusal, parked: true });
    }
    return;
  }
  sweepOutbox(series);
  const local = readSeriesState(series);
  const { good: staged, damaged, holdingForgotten } = await readStaged(ctx, series);
  const headRead = await readHead(ctx.backend, client, ctx.paths.scratch);
  const head: HeadState = headRead.kind === 'present' ? { kind: 'present', seq: headRead.head.seq, token: headRead.head.token ?? null } : { kind: headRead.kind };
  if (headRead.kind === 'present' && headRead.head.checkpoint !== undefined) ctx.checkpoints.set(client, headRead.head.checkpoint);
  const at = { headSeq: headRead.kind === 'present' ? headRead.head.seq : -1, headToken: headRead.kind === 'present' ? (headRead.head.token ?? null) : null };
  for (const h of holdingForgotten) {
    // Staged before a forget of one of its rows: not uploaded now. One the lake already has (killed
    // before its commit) is committed, and the forget then withdraws the row like any pushed one.
    if (h.seq === at.headSeq && h.token === at.headToken) staged.push(h);
    else removeStaged(series, h.seq);
  }
  if (damaged.length > 0) {
    // A damaged staged push the lake already has (uploaded, killed before the commit): its keys
    // come from the lake. Any other is dropped; its rows are still unpushed here.
    const landed = damaged.some((d) => d.seq === at.headSeq && d.token === at.headToken);
    for (const d of damaged) removeStaged(series, d.seq);
    ctx.warn(`remote ${ctx.remote.name}: a push staged in ${series.outbox} was damaged (a batch file missing or unreadable); ${landed ? 'the lake has it, so the series is read back from the lake' : 'it was dropped, and its rows are staged again'}.`);
    if (landed && !rebuilt) {
      await rebuildSeries(ctx, series, { requireOwnership: false, rewriteIndex: false });
      return pushSeries(ctx, client, true);
    }
  }
  const plan = planSeriesPush({ local, head, staged });
  if (plan.kind !== 'conflict') for (const seq of plan.discard) removeStaged(series, seq);

  if (plan.kind === 'conflict') {
    if (plan.verify !== null && local) await checkOwnPush(ctx, series, local, plan.verify);
    const host = headRead.kind === 'present' && headRead.head.host ? ` (from ${headRead.head.host})` : '';
    const what = plan.why === 'head-behind' ? `its head on the remote is behind this store's last push (another store wrote it${host}, or the lake was restored from a backup)` : `it was written by another store${host} since this machine's last push`;
    const message = `series ${client} on remote ${ctx.remote.name} was not pushed: ${what}, so two machines use client id ${client}, or this store was copied. Its rows stay here. Give one machine its own id (\`bird init --client-id NAME\`), then run \`bird remote repair ${ctx.remote.name}\` on the one that keeps ${client}.`;
    writeRefusal(series, { ...at, message });
    throw new SeriesConflict(message);
  }
  if (plan.kind === 'rebuild') {
    if (refusal && refusal.headSeq === at.headSeq && refusal.headToken === at.headToken) throw new SeriesConflict(refusal.message);
    if (rebuilt) throw new Error(`series ${client} on remote ${ctx.remote.name} could not be settled after reading it back; run \`bird remote repair ${ctx.remote.name}\`.`);
    if (headRead.kind === 'damaged') ctx.warn(`remote ${ctx.remote.name}: ${headRead.damage.message}; this push rewrites the series' index from what the lake holds.`);
    else if (plan.reason === 'index-lost') ctx.warn(`remote ${ctx.remote.name}: the index of series ${client} is gone from the lake; this push rewrites it from what the lake holds.`);
    try {
      await rebuildSeries(ctx, series, { requireOwnership: plan.reason === 'no-record', rewriteIndex: plan.rewriteIndex });
    } catch (error) {
      if (error instanceof SeriesConflict) writeRefusal(series, { ...at, message: error.message });
      throw error;
    }
    writeRefusal(series, null);
    return pushSeries(ctx, client, true);
  }
  let state = local;
  if (plan.verify !== null && state) state = await checkOwnPush(ctx, series, state, plan.verify);
  if (plan.commitOnly !== null) state = await commitLocally(ctx, series, plan.commitOnly);
  if (plan.upload !== null) state = await uploadStaged(ctx, series, plan.upload);
  const seq = (state?.seq ?? plan.nextSeq - 1) + 1;
  if (await stage(ctx, series, seq)) state = await uploadStaged(ctx, series, seq);
  // Outputs rows a bird from before blobs travelled pushed without their blobs: theirs go up once.
  if (ctx.tables.includes('outputs')) {
    const backfilled = await backfillBlobs(ctx, series);
    ctx.totals.objects += backfilled.objects;
    ctx.totals.bytes += backfilled.bytes;
  }
  // What was forgotten here since: its batches written again without it, the old ones withdrawn.
  const forgets = forgetsToCarry(ctx, series);
  const forgetSeq = (state?.seq ?? plan.nextSeq - 1) + 1;
  if (forgets.length > 0 && (await stageForgets(ctx, series, forgetSeq, forgets))) state = await uploadStaged(ctx, series, forgetSeq);
  // And every command of it before a cutoff (a retention, `bird forget --before`): one segment says so.
  const before = rangeToCarry(ctx, series);
  if (before !== null) {
    const rangeSeq = (state?.seq ?? plan.nextSeq - 1) + 1;
    await stageRangeForget(ctx, series, rangeSeq, before);
    state = await uploadStaged(ctx, series, rangeSeq);
  }
  // Last, each past day's batches merged into one per table, a bounded amount per push.
  if (ctx.compact) {
    const headSeq = state?.seq ?? plan.nextSeq - 1;
    const groups = await compactionToDo(ctx, series, headSeq);
    if ((await stageCompaction(ctx, series, headSeq + 1, groups)) > 0) state = await uploadStaged(ctx, series, headSeq + 1);
    // Every CHECKPOINT_EVERY segments, one that lists the whole series, and the older ones go.
    const last = state?.seq ?? plan.nextSeq - 1;
    if (checkpointDue(last, ctx.checkpoints.get(client))) {
      await stageCheckpoint(ctx, series, last + 1, ctx.checkpoints.get(client));
      state = await uploadStaged(ctx, series, last + 1);
    }
  }
  await compactLedger(ctx.conn, series, state);
  if (refusal) writeRefusal(series, null); // settled since (the other writer gave the series up, or a repair)
}

/**
 * Reads back segment `seq`, this store's last push, and checks it still carries this store's
 * token. Another writer that pushed the same number at the same time overwrote it: its rows
 * then are in no index, so they come off the ledger (pushed again later) and the push stops.
 */
async function checkOwnPush(ctx: PushContext, series: SeriesPaths, state: SeriesState, seq: number): Promise<SeriesState> {
  const read = await readLog(ctx.backend, series.client, seq - 1, seq, ctx.paths.scratch);
  const token = read.tokens.get(seq);
  if (read.damage === null && token === state.token) {
    const verified = { ...state, verified: true };
    writeSeriesState(series, verified);
    return verified;
  }
  uncommitLedger(series, seq);
  writeSeriesState(series, { ...state, verified: true });
  throw new SeriesConflict(
    `series ${series.client} on remote ${ctx.remote.name}: this machine's push ${seq} was overwritten by another store pushing the same series at the same time, so two machines use client id ${series.client}, or this store was copied. Its rows stay here and are pushed again once that is settled: give one machine its own id (\`bird init --client-id NAME\`), then run \`bird remote repair ${ctx.remote.name}\` on the one that keeps ${series.client}.`,
  );
}

/** Staged pushes that check out, each with its token; a damaged one is dropped (its rows are still unpushed here). */
/**
 * Staged pushes that check out, each with its token. A segment that does not parse is dropped at
 * once (its rows are still unpushed here, and are staged again). One whose batch files are not
 * all there and readable is `damaged`: dropped too, unless the lake already has it (then the
 * series is read back from the lake instead of from those files).
 */
async function readStaged(ctx: PushContext, series: SeriesPaths): Promise<{ good: StagedPush[]; damaged: StagedPush[]; holdingForgotten: StagedPush[] }> {
  const good: StagedPush[] = [];
  const damaged: StagedPush[] = [];
  const holdingForgotten: StagedPush[] = [];
  const gone = forgottenOfSeries(ctx, series);
  for (const seq of outboxSeqs(series)) {
    const segment = readStagedSegment(series, seq);
    if (!segment?.token) {
      removeStaged(series, seq);
      continue;
    }
    const files = segment.checkpoint ? [] : segment.batches.map((b) => join(series.outbox, String(seq), 'batches', b.key));
    const staged = { seq, token: segment.token };
    if (!(await batchesReadable(ctx.conn, files))) damaged.push(staged);
    else if (gone.length > 0 && !segment.checkpoint && (await holdsAny(ctx.conn, segment.batches.filter((b) => b.table === 'invocations').map((b) => join(series.outbox, String(seq), 'batches', b.key)), gone))) holdingForgotten.push(staged);
    else good.push(staged);
  }
  return { good, damaged, holdingForgotten };
}

/** The ids of the series' commands forgotten here (a staged push must not take one to the lake). */
function forgottenOfSeries(ctx: PushContext, series: SeriesPaths): string[] {
  return hasTombstones(ctx.layout) ? forgotten(ctx.layout).all.filter((t) => t.series === series.client).map((t) => t.id) : [];
}

async function holdsAny(conn: BirdConnection, files: readonly string[], ids: readonly string[]): Promise<boolean> {
  if (files.length === 0) return false;
  const read = `read_parquet([${files.map(quoteLiteral).join(', ')}], union_by_name = true)`;
  for (let i = 0; i < ids.length; i += 1000) {
    const list = ids.slice(i, i + 1000).map(quoteLiteral).join(', ');
    if ((await conn.query(`SELECT 1 FROM ${read} WHERE id IN (${list}) LIMIT 1`)).rows.length > 0) return true;
  }
  return false;
}

/** True when every file is there and DuckDB reads it whole (a staged batch cut short by a full disk is not uploaded). */
async function batchesReadable(conn: BirdConnection, files: readonly string[]): Promise<boolean> {
  if (files.length === 0) return true;
  try {
    await conn.query(`SELECT count(*) FROM read_parquet([${files.map(quoteLiteral).join(', ')}], union_by_name = true)`);
    return true;
  } catch {
    // whatever DuckDB refuses is not a batch to upload: it is staged again
    return false;
  }
}

function readStagedSegment(series: SeriesPaths, seq: number) {
  const file = join(series.outbox, String(seq), 'segment.json');
  try {
    return parseSegment(JSON.parse(readFileSync(file, 'utf8')), file, { client: series.client, seq });
  } catch {
    // missing or damaged segment.json: the caller drops the staged push, its rows stay unpushed
    return null;
  }
}

/** Out of the outbox by one rename: deleted file by file, a kill would leave a staged push with some batches gone. */
function removeStaged(series: SeriesPaths, seq: number): void {
  const dir = join(series.outbox, String(seq));
  const gone = join(series.outbox, `.gone-${seq}-${process.pid}`);
  try {
    renameSync(dir, gone);
  } catch {
    // gone already, or cannot be moved: the next push meets it again and decides again
    return;
  }
  rmSync(gone, { recursive: true, force: true });
}

/** Staging folders and removed pushes that a killed run left half deleted (only the lock holder calls this). */
function sweepOutbox(series: SeriesPaths): void {
  for (const name of readdirSync(series.outbox)) if (name.startsWith('.')) rmSync(join(series.outbox, name), { recursive: true, force: true });
}

/**
 * Stages the series' rows not yet pushed as `outbox/<seq>/`: one batch per table and day, named
 * from the keys it holds, and the segment that will list them, with a fresh token. Built in a
 * hidden folder and put in place by one rename, so a crash leaves either the whole push staged or
 * none of it. Returns false when there is nothing new.
 */
async function stage(ctx: PushContext, series: SeriesPaths, seq: number): Promise<boolean> {
  const client = series.client;
  const building = join(series.outbox, `.${seq}.${process.pid}`);
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true, mode: 0o700 });
  const batches: SegmentBatch[] = [];
  const keptOut = keptOutOfPush(ctx, series);
  for (const table of ctx.tables) {
    const out = join(building, table);
    // In time order: a batch compresses best so, and readers scan it in that order.
    const rows = `SELECT * EXCLUDE (${CLIENT_COLUMN}) FROM (${unpushedRowsSql(ctx.paths, table, ctx.self, ctx.since)}) t WHERE ${CLIENT_COLUMN} = ${quoteLiteral(client)}${keptOut ? ` AND ${keptOut(table)}` : ''} ORDER BY ${ROW_ORDER[table]}`;
    // A COPY writes files: if a compaction's publish makes the store run it again, it starts from an empty folder.
    const copied = await ctx.conn.query(`COPY (${rows}) TO ${quoteLiteral(out)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY ("date"), FILENAME_PATTERN 'rows')`, {
      beforeRetry: () => rmSync(out, { recursive: true, force: true }),
    });
    if (Number(copied.rows[0]?.[0] ?? 0) === 0) continue;
    for (const part of readdirSync(out)) {
      const date = part.replace(/^date=/, '');
      const file = join(out, part, 'rows0.parquet');
      const keys = await ctx.conn.query(`SELECT CAST(${quoteIdent(ROW_KEY[table])} AS VARCHAR) AS k FROM read_parquet(${quoteLiteral(file)}) ORDER BY k`);
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
  writeFileAtomic(join(building, 'segment.json'), `${JSON.stringify(segmentDoc(client, seq, newToken(), batches))}\n`, { mode: 0o600 });
  renameSync(building, join(series.outbox, String(seq)));
  return true;
}

/**
 * Uploads a staged push: its batches (any order, in parallel), then its segment, then the head
 * that names it, both carrying the push's token. Every object has a fixed name and fixed bytes,
 * so a retry after any interruption writes the same objects again; readers find a batch only
 * through a segment the head names, so none sees a push half done. Then the local commit.
 */
async function uploadStaged(ctx: PushContext, series: SeriesPaths, seq: number): Promise<SeriesState> {
  const { backend, paths } = ctx;
  const client = series.client;
  const dir = join(series.outbox, String(seq));
  const segment = readStagedSegment(series, seq);
  if (!segment?.token) throw new Error(`the push staged in ${dir} is damaged; it was left out, and the next push stages its rows again.`);
  if (!ctx.formatWritten) {
    await writeLakeJson(backend, LAKE_FORMAT_KEY, lakeFormatDoc(), paths.scratch);
    ctx.formatWritten = true;
  }
  // A checkpoint's batches are in the lake already: it lists them.
  const uploads = segment.checkpoint ? [] : segment.batches;
  // The blobs its outputs rows name go first: no reader ever sees a row whose blob is not there.
  const blobs = await uploadBlobs(ctx, client, uploads.filter((b) => b.table === 'outputs').map((b) => join(dir, 'batches', b.key)));
  ctx.totals.objects += blobs.objects;
  ctx.totals.bytes += blobs.bytes;
  const queue = new PQueue({ concurrency: TRANSFER_CONCURRENCY });
  let done = 0;
  await Promise.all(
    uploads.map((b) =>
      queue.add(async () => {
        await backend.put(b.key, join(dir, 'batches', b.key));
        ctx.options.onProgress?.(++done, uploads.length);
      }),
    ),
  );
  const { rejected: _r, ...doc } = segment;
  await writeLakeJson(backend, segmentKey(client, seq), doc, paths.scratch);
  await writeLakeJson(backend, headKey(client), headDoc(client, seq, segment.token, shortHostname(), segment.checkpoint ? seq : ctx.checkpoints.get(client)), paths.scratch);
  for (const b of uploads) {
    // A merged batch moves no new row: its rows were counted when first pushed.
    if (b.replaces === undefined) ctx.totals.rows += b.rows;
    ctx.totals.bytes += b.bytes;
    ctx.totals.merged += b.replaces?.length ?? 0;
  }
  ctx.totals.objects += uploads.length + 2;
  return commitLocally(ctx, series, seq);
}

/** Puts a staged push's keys on the ledger, records its number and token, and clears it from the outbox. */
async function commitLocally(ctx: PushContext, series: SeriesPaths, seq: number): Promise<SeriesState> {
  const dir = join(series.outbox, String(seq));
  const segment = readStagedSegment(series, seq);
  if (!segment?.token) throw new Error(`the push staged in ${dir} is damaged; it was left out, and the next push stages its rows again.`);
  if (segment.checkpoint) {
    // Nothing new to note: the segments before it go, now that the head names it (again after a kill).
    ctx.checkpoints.set(series.client, seq);
    await deleteSegmentsBefore(ctx, series.client, seq);
    return settleCommit(series, seq, segment.token);
  }
  for (const table of TABLE_NAMES) {
    const files = segment.batches.filter((b) => b.table === table).map((b) => ({ path: join(dir, 'batches', b.key), key: b.key }));
    await ledgerFromBatches(ctx.conn, series, table, String(seq), files, seq);
  }
  // A forget push: what it carried is noted, and the batches it withdrew are deleted now that the
  // head names it (again after a crash: deleting what is gone changes nothing).
  if (segment.forgotten?.length) addLines(series.carriedForgets, segment.forgotten);
  if (segment.withdrawn?.length) {
    addLines(series.withdrawn, segment.withdrawn);
    for (const key of segment.withdrawn) await ctx.backend.remove(key);
  }
  // And the blobs only forgotten commands' outputs named, from the series' blob folder.
  if (segment.forgotten?.length) await deleteForgottenBlobs(ctx, series);
  // A range forget: the batches of earlier days go too, found by a listing (again after a crash).
  if (segment.forgottenBefore !== undefined) {
    await deleteBatchesBefore(ctx, series, segment.forgottenBefore);
    // And the blobs only the commands it took printed, as an id forget's.
    await deleteRangeForgottenBlobs(ctx, series, segment.forgottenBefore);
    noteRangeCarried(series, segment.forgottenBefore);
  }
  return settleCommit(series, seq, segment.token);
}

/** The commit's last step: `push.json` takes the number and token, and the staged push goes. */
function settleCommit(series: SeriesPaths, seq: number, token: string): SeriesState {
  const state: SeriesState = { seq, token, verified: false };
  writeSeriesState(series, state);
  removeStaged(series, seq);
  return state;
}
