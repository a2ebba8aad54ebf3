/**
 * Where this store stands with a remote, for `bird doctor`: read only, never under the sync lock
 * (a push or pull may be running; what is read may be a moment old, never wrong in kind). The
 * state files are read with the same checks push and pull apply (sync-state.ts).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isHolderAlive, resolveClientId, type BirdConfig, type BirdLayout, type TableName } from '@bird/core';
import type { BirdConnection } from '@bird/store';
import type { RemoteBackend } from '@bird/remote';
import { unpushedRowsSql } from './ledger.ts';
import { readFrom, rowsToPull } from './plan-sync.ts';
import { readLog } from './series-index.ts';
import { legacyState, outboxSeqs, readPullState, readRefusal, readSeriesState, seriesPaths, syncPaths, writtenSeries, type PullState } from './sync-state.ts';
import { syncedTables } from './sync-tables.ts';

export interface SeriesStatus {
  readonly client: string;
  /** The last segment this store committed to the series, or null when its push state is absent or damaged. */
  readonly seq: number | null;
  /** When that commit was recorded here (push.json's time), epoch ms. */
  readonly lastPushMs: number | null;
  /** Pushes staged in the outbox and not yet committed: the next push finishes them. */
  readonly staged: readonly number[];
  /** Why pushing to this series was refused (another store writes it), as the push said it; null when it was not. */
  readonly refusal: string | null;
  /** The refusal stands, and this machine took another id since: the series' rows stay here, by the user's choice. */
  readonly parked: boolean;
}

export interface LocalSyncStatus {
  /** The series this store writes to the remote, by client id. */
  readonly series: readonly SeriesStatus[];
  /** When a push last committed to any series of the remote (a push with nothing new commits nothing). */
  readonly lastPushMs: number | null;
  /** When a pull last finished (pull.json's time), epoch ms. */
  readonly lastPullMs: number | null;
  /** True while a push, pull or repair of the remote holds its lock. */
  readonly busy: boolean;
}

const mtimeMs = (path: string): number | null => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    // never written (no push or pull yet): no time
    return null;
  }
};

/** What `db/sync/<remote>/` says, without the network. A remote never synced has no series and no times. */
export function localSyncStatus(layout: BirdLayout, remote: string): LocalSyncStatus {
  const paths = syncPaths(layout, remote);
  const series = writtenSeries(paths).map((client): SeriesStatus => {
    const s = seriesPaths(paths, client);
    const state = readSeriesState(s);
    const refusal = readRefusal(s);
    return { client, seq: state?.seq ?? null, lastPushMs: state ? mtimeMs(s.pushState) : null, staged: outboxSeqs(s), refusal: refusal?.message ?? null, parked: refusal?.parked === true };
  });
  const pushTimes = [...series.map((s) => s.lastPushMs), mtimeMs(legacyState(paths).pushState)].filter((t): t is number => t !== null);
  return {
    series,
    lastPushMs: pushTimes.length > 0 ? Math.max(...pushTimes) : null,
    lastPullMs: mtimeMs(paths.pullState),
    busy: lockHeld(paths.lock),
  };
}

function lockHeld(path: string): boolean {
  if (!existsSync(path)) return false;
  try {
    return isHolderAlive(readFileSync(path, 'utf8'));
  } catch {
    return false; // released just now
  }
}

/**
 * Rows of `local` not yet pushed to the remote, by synced table: the rows a push would send,
 * counted by the query push stages them with (ledger.ts).
 */
export async function countUnpushedRows(conn: BirdConnection, layout: BirdLayout, config: BirdConfig, remote: string, env: NodeJS.ProcessEnv): Promise<Map<TableName, number>> {
  const paths = syncPaths(layout, remote);
  // Only which series a row goes to depends on this id; how many rows there are does not.
  const fallback = config.client_id ?? resolveClientId(env);
  const out = new Map<TableName, number>();
  for (const table of syncedTables(config.sync)) {
    const result = await conn.query(`SELECT count(*) FROM (${unpushedRowsSql(paths, table, fallback)})`);
    out.set(table, Number(result.rows[0]?.[0] ?? 0));
  }
  return out;
}

/** A teammate's series with segments this store has not pulled: segments `from + 1` … `to`. */
export interface SeriesBehind {
  readonly client: string;
  readonly from: number;
  readonly to: number;
  /** The series' last checkpoint, as its head names it: a pull behind it reads it instead of the segments before. */
  readonly checkpoint?: number;
}

export interface PullBacklogPlan {
  readonly behind: readonly SeriesBehind[];
  /** Series whose index is damaged: pulls read them by listing, so what is new there is not known from the index. */
  readonly listed: readonly { readonly client: string; readonly damage: string }[];
}

/**
 * Which teammates' series have segments the pull state has not reached, from the heads the
 * lake's index names: pure. This store's own series are never pulled, so never behind.
 */
export function planPullBacklog(state: Pick<PullState, 'clients'>, heads: readonly { client: string; seq: number; checkpoint?: number }[], own: ReadonlySet<string>): PullBacklogPlan {
  const behind: SeriesBehind[] = [];
  const listed: { client: string; damage: string }[] = [];
  for (const head of heads) {
    if (own.has(head.client)) continue;
    const cursor = state.clients[head.client];
    if (cursor?.damage !== undefined) listed.push({ client: head.client, damage: cursor.damage });
    else if ((cursor?.seq ?? 0) < head.seq) behind.push({ client: head.client, from: cursor?.seq ?? 0, to: head.seq, ...(head.checkpoint !== undefined ? { checkpoint: head.checkpoint } : {}) });
  }
  return { behind, listed };
}

/** The pull state as the next pull of the lake at `location` would read it (state of another uri counts as none). */
export function readPullStatus(layout: BirdLayout, remote: string, location: string): PullState {
  return readPullState(syncPaths(layout, remote), location);
}

export interface RowsNotPulled {
  /** Rows of synced tables in the segments that were read. */
  readonly rows: number;
  readonly segments: number;
  /** Segments read to count them; fewer than `segments` when the budget ran out (then `rows` is a floor). */
  readonly segmentsRead: number;
}

/**
 * Counts the rows in teammates' segments not pulled yet, reading at most `budget` segments
 * (each a small JSON object that names its batches and their row counts): the cost grows with
 * what the next pull would read, never with the lake. It reads what the pull reads (from the
 * checkpoint a cursor is behind) and counts what the pull would fetch (plan-sync's rowsToPull).
 * A segment that cannot be read ends the count of its series there.
 */
export async function countRowsNotPulled(backend: RemoteBackend, behind: readonly SeriesBehind[], tables: ReadonlySet<TableName>, scratch: string, budget: number, pending: ReadonlySet<string> = new Set()): Promise<RowsNotPulled> {
  let rows = 0;
  let segmentsRead = 0;
  let segments = 0;
  let left = budget;
  for (const series of behind) {
    const start = readFrom(series.from, series.checkpoint);
    segments += series.to - start;
    if (left <= 0) continue;
    const to = Math.min(series.to, start + left);
    const log = await readLog(backend, series.client, start, to, scratch);
    rows += rowsToPull(log, series.from, pending, tables);
    segmentsRead += log.lastSeq - start;
    left -= to - start;
  }
  return { rows, segments, segmentsRead };
}
