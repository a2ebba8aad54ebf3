/**
 * What this machine keeps about each remote, in `db/sync/<name>/` (PROTOCOL.md, "Push and pull"):
 *
 *   lock                  one push or pull of this remote at a time (compaction's lock discipline)
 *   push.json             { seq }: the last segment this machine committed
 *   pushed/<table>/*.parquet   the ledger: keys of every row pushed (column `key`)
 *   outbox/<seq>/         a push staged and not yet committed: its batches and segment.json
 *   pull.json             per client of the lake: the last segment read, and batches left for later
 *   incoming/             batches downloaded and not yet in the cache
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tryLockFile, writeFileAtomic, type BirdLayout, type CompactionLock, type TableName } from '@bird/core';
import { checkRemoteName } from '@bird/store';
import type { DatabaseCursor, KnownBatch, PullCursor } from './plan-sync.ts';

export interface SyncPaths {
  readonly dir: string;
  readonly lock: string;
  readonly pushState: string;
  readonly pushed: string;
  readonly outbox: string;
  readonly pullState: string;
  readonly incoming: string;
  readonly scratch: string;
}

export function syncPaths(layout: BirdLayout, remote: string): SyncPaths {
  const dir = join(layout.sync, checkRemoteName(remote));
  return {
    dir,
    lock: join(dir, 'lock'),
    pushState: join(dir, 'push.json'),
    pushed: join(dir, 'pushed'),
    outbox: join(dir, 'outbox'),
    pullState: join(dir, 'pull.json'),
    incoming: join(dir, 'incoming'),
    scratch: join(dir, 'scratch'),
  };
}

export function prepareSyncDirs(paths: SyncPaths): void {
  for (const dir of [paths.dir, paths.pushed, paths.outbox, paths.incoming, paths.scratch]) mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** One push or pull of `remote` at a time in this root; null when another holds it. */
export function trySyncLock(paths: SyncPaths): CompactionLock | null {
  return tryLockFile(paths.lock);
}

function readJson<T>(path: string, fallback: T): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return fallback;
  }
}

export function readPushSeq(paths: SyncPaths): number {
  return readJson<{ seq?: number }>(paths.pushState, {}).seq ?? 0;
}

export function writePushSeq(paths: SyncPaths, seq: number): void {
  writeFileAtomic(paths.pushState, `${JSON.stringify({ seq })}\n`, { mode: 0o600 });
}

/** Segment numbers staged in the outbox (complete ones: a staging folder becomes `<seq>` by one rename). */
export function outboxSeqs(paths: SyncPaths): number[] {
  try {
    return readdirSync(paths.outbox)
      .filter((n) => /^[0-9]+$/.test(n))
      .map(Number)
      .sort((a, b) => a - b);
  } catch {
    return [];
  }
}

/** Every ledger file of one table. */
export function ledgerFiles(paths: SyncPaths, table: TableName): string[] {
  try {
    return readdirSync(join(paths.pushed, table))
      .filter((n) => n.endsWith('.parquet') && !n.startsWith('.'))
      .sort()
      .map((n) => join(paths.pushed, table, n));
  } catch {
    return [];
  }
}

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
}

export function readPullState(paths: SyncPaths, source: string): PullState {
  const state = readJson<Partial<PullState>>(paths.pullState, {});
  if (state.source !== source) return { source, clients: {}, deferred: [] };
  return { source, clients: state.clients ?? {}, deferred: state.deferred ?? [], ...(state.database ? { database: state.database } : {}), ...(state.listed ? { listed: state.listed } : {}) };
}

export function writePullState(paths: SyncPaths, state: PullState): void {
  writeFileAtomic(paths.pullState, `${JSON.stringify(state)}\n`, { mode: 0o600 });
}

