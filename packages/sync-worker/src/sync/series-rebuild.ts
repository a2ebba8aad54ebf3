/**
 * Rebuilding this store's record of one of its series from what the lake really holds, and,
 * when the lake's index of the series is damaged, the index itself (PROTOCOL.md, "Repair").
 *
 * Used when this store has no record of a series it is about to push to (a first push from this
 * store, a lost or damaged `db/sync/`, a bird older than per-series state): the series is
 * adopted only if every row in it is a row of this store, so a series another machine writes
 * under the same client id is never taken over. And by `bird remote repair`, which takes it over
 * on the user's word.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import PQueue from 'p-queue';
import { BirdError, ROW_KEY, TABLE_NAMES, quoteIdent, quoteLiteral, shortHostname, type BirdLayout, type RemoteConfig } from '@bird/core';
import type { BirdConnection } from '@bird/store';
import { LAKE_FORMAT_KEY, LakeIndexDamage, headDoc, headKey, lakeFormatDoc, segmentKey, writeLakeJson, type RemoteBackend } from '@bird/remote';
import { clearLedger, ledgerFromBatches } from './ledger.ts';
import type { KnownBatch } from './plan-sync.ts';
import { planIndexRepair, type FoundSegment } from './plan-repair.ts';
import { listSegmentNumbers, listSeriesBatches, readHead, readSegment } from './series-index.ts';
import { prepareSeriesDirs, writeSeriesState, type SeriesPaths, type SeriesState, type SyncPaths } from './sync-state.ts';

export const TRANSFER_CONCURRENCY = 8;

export interface SeriesContext {
  readonly layout: BirdLayout;
  readonly remote: RemoteConfig;
  readonly backend: RemoteBackend;
  readonly paths: SyncPaths;
  readonly conn: BirdConnection;
  readonly warn: (message: string) => void;
}

/** A series this store may not write: someone else writes it. The message says what to do. */
export class SeriesConflict extends BirdError {
  constructor(message: string) {
    super(message);
    this.name = 'SeriesConflict';
  }
}

export function newToken(): string {
  return randomBytes(16).toString('hex');
}

export interface RebuildOptions {
  /** Refuse (SeriesConflict) when the series holds a row this store does not have. */
  readonly requireOwnership: boolean;
  /** Rewrite the lake's index of the series from what its folders hold (missing and damaged segments, orphan batches). */
  readonly rewriteIndex: boolean;
}

export interface RebuildResult {
  readonly state: SeriesState;
  /** Segments rewritten and batches the index did not name, for the summary. */
  readonly rewrittenSegments: number;
  readonly orphanBatches: number;
}

/**
 * Reads the whole series back: every batch in its folders (downloaded once, into scratch), and
 * every segment of its log. The ledger becomes exactly the keys found; the head is written anew
 * with a fresh token, so this store is the series' writer from now on.
 */
export async function rebuildSeries(ctx: SeriesContext, series: SeriesPaths, options: RebuildOptions): Promise<RebuildResult> {
  const { backend, paths, remote } = ctx;
  const client = series.client;
  const listed = await listSeriesBatches(backend, client);
  const dir = join(paths.scratch, `rebuild-${client}`);
  rmSync(dir, { recursive: true, force: true });
  try {
    const files = await download(backend, listed, dir);
    if (options.requireOwnership) {
      const foreign = await countForeignRows(ctx.conn, files);
      if (foreign > 0) {
        const head = await readHead(backend, client, paths.scratch);
        const host = head.kind === 'present' && head.head.host ? ` (last written from ${head.head.host})` : '';
        throw new SeriesConflict(
          `series ${client} on remote ${remote.name}${host} holds ${foreign} rows this store does not have: another machine already uses client id ${client}, so nothing was pushed to it. Give this machine its own id (\`bird init --client-id NAME\`), or, if the other machine no longer writes it, run \`bird remote repair ${remote.name}\` here.`,
        );
      }
    }
    clearLedger(series);
    prepareSeriesDirs(series);
    const recovered = `recovered-${Date.now()}`;
    for (const table of TABLE_NAMES) await ledgerFromBatches(ctx.conn, series, table, recovered, files.filter((f) => f.table === table).map((f) => ({ path: f.path, key: f.key })));

    const token = newToken();
    let seq: number;
    let rewrittenSegments = 0;
    let orphanBatches = 0;
    let checkpoint: number | undefined;
    if (options.rewriteIndex) {
      const plan = await planRepairFromLake(backend, client, listed, paths.scratch);
      for (const s of plan.rewrite) await writeLakeJson(backend, segmentKey(client, s.seq), { ...s, token }, paths.scratch);
      rewrittenSegments = plan.rewrite.length;
      orphanBatches = plan.orphans;
      seq = plan.headSeq;
      checkpoint = plan.checkpoint;
      await writeLakeJson(backend, LAKE_FORMAT_KEY, lakeFormatDoc(), paths.scratch);
    } else {
      const head = await readHead(backend, client, paths.scratch);
      seq = head.kind === 'present' ? head.head.seq : 0;
      checkpoint = head.kind === 'present' ? head.head.checkpoint : undefined;
    }
    // Claiming the series: a head with a token only this store knows. A second writer's next push sees another token, and stops.
    await writeLakeJson(backend, headKey(client), headDoc(client, seq, token, shortHostname(), checkpoint), paths.scratch);
    const state: SeriesState = { seq, token, verified: true };
    writeSeriesState(series, state);
    return { state, rewrittenSegments, orphanBatches };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Downloaded {
  readonly table: KnownBatch['table'];
  readonly path: string;
  /** Its lake key. */
  readonly key: string;
}

async function download(backend: RemoteBackend, batches: readonly KnownBatch[], dir: string): Promise<Downloaded[]> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const queue = new PQueue({ concurrency: TRANSFER_CONCURRENCY });
  const out: Downloaded[] = [];
  await Promise.all(
    batches.map((b) =>
      queue.add(async () => {
        const path = join(dir, b.key);
        await backend.get(b.key, path);
        out.push({ table: b.table, path, key: b.key });
      }),
    ),
  );
  return out;
}

/** Rows in `files` whose key this store does not hold locally. */
async function countForeignRows(conn: BirdConnection, files: readonly Downloaded[]): Promise<number> {
  let foreign = 0;
  for (const table of TABLE_NAMES) {
    const mine = files.filter((f) => f.table === table).map((f) => f.path);
    if (mine.length === 0) continue;
    const key = quoteIdent(ROW_KEY[table]);
    const result = await conn.query(
      `SELECT count(*) FROM read_parquet([${mine.map(quoteLiteral).join(', ')}], union_by_name = true) f WHERE NOT EXISTS (SELECT 1 FROM local.${quoteIdent(table)} l WHERE CAST(l.${key} AS VARCHAR) = CAST(f.${key} AS VARCHAR))`,
    );
    foreign += Number(result.rows[0]?.[0] ?? 0);
  }
  return foreign;
}

/** Reads every segment the log folder holds, then plans the repair (plan-repair.ts). */
async function planRepairFromLake(backend: RemoteBackend, client: string, listed: readonly KnownBatch[], scratch: string) {
  const numbers = await listSegmentNumbers(backend, client);
  const found: FoundSegment[] = [];
  for (const seq of numbers) {
    const read = await readSegment(backend, client, seq, scratch);
    if (read instanceof LakeIndexDamage) found.push({ seq, segment: null });
    else {
      // What the reader left out (named in `rejected`) stays out of what repair writes back.
      const { rejected: _rejected, ...segment } = read;
      found.push({ seq, segment });
    }
  }
  return planIndexRepair(client, found, listed);
}
