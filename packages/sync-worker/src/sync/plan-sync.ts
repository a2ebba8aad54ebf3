/**
 * What a pull must do, as pure functions of what is known locally and what the lake's index
 * says (PROTOCOL.md, "Pull"); a push's plan is in plan-push.ts. No I/O here: pull.ts does it.
 */
import type { TableName } from '@bird/core';
import type { SegmentBatch } from '@bird/remote';

export interface PullCursor {
  /** The last segment of this client read. */
  readonly seq: number;
  /** The head's etag when it was read: an unchanged etag means no new segment. */
  readonly etag: string;
  /**
   * Set while the series' index is damaged and the series is read by listing its folders
   * instead: every batch key taken from a listing so far, so each is fetched once.
   */
  readonly listed?: readonly string[];
  /** What was found damaged, as last reported (a warning is given once per new damage). */
  readonly damage?: string;
}

export interface HeadListing {
  readonly client: string;
  readonly etag: string;
}

/** The clients whose head must be read: changed since last time, not this store's own series (unless asked for), and the one asked for with --client. */
export function planHeadReads(heads: readonly HeadListing[], cursors: Readonly<Record<string, PullCursor>>, self: ReadonlySet<string>, only?: string): string[] {
  return heads
    .filter((h) => (only !== undefined ? h.client === only : !self.has(h.client)))
    .filter((h) => cursors[h.client]?.etag !== h.etag)
    .map((h) => h.client);
}

export interface KnownBatch extends SegmentBatch {
  readonly client: string;
}

export interface FetchFilter {
  readonly tables: ReadonlySet<TableName>;
  /** `YYYY-MM-DD`: batches of earlier days wait for a pull without --since. */
  readonly since?: string;
}

/** Which known batches to fetch now, and which to keep for a later pull (filtered out by --since or a table not synced). */
export function planFetch(batches: readonly KnownBatch[], filter: FetchFilter): { fetch: KnownBatch[]; defer: KnownBatch[] } {
  const fetch: KnownBatch[] = [];
  const defer: KnownBatch[] = [];
  const seen = new Set<string>();
  for (const b of batches) {
    if (seen.has(b.key)) continue;
    seen.add(b.key);
    if (filter.tables.has(b.table) && (filter.since === undefined || b.date >= filter.since)) fetch.push(b);
    else defer.push(b);
  }
  return { fetch, defer };
}

/**
 * The batches of one series' segments read now, less the merged batches this machine needs not
 * fetch: one whose `upTo` is at most `cursorBefore` (the series' cursor before this pull, so every
 * batch it replaces was taken already) and none of whose replaced batches is still pending here
 * (deferred by a filter, or not found when fetched). Any other is fetched; the keyed ingest
 * stores none of its rows twice.
 */
export function skipMergedTaken(batches: readonly KnownBatch[], cursorBefore: number, pending: ReadonlySet<string>): KnownBatch[] {
  return batches.filter((b) => b.upTo === undefined || b.replaces === undefined || b.upTo > cursorBefore || b.replaces.some((k) => pending.has(k)));
}

/** The segment after which to read a series' log: its cursor, or, behind the series' checkpoint, just before it (the segments before it may be gone). */
export function readFrom(cursor: number, checkpoint: number | undefined): number {
  return checkpoint !== undefined && checkpoint - 1 > cursor ? checkpoint - 1 : cursor;
}

/** A checkpoint's entry this machine took already: first listed at or before its cursor, and not pending here. */
export function takenBefore(b: KnownBatch, cursorBefore: number, pending: ReadonlySet<string>): boolean {
  return b.seq !== undefined && b.seq <= cursorBefore && !pending.has(b.key);
}

/** Batch keys this machine has not taken yet though it knows them: deferred by a filter, or not found when fetched. */
export function pendingKeys(state: { readonly deferred: readonly KnownBatch[]; readonly vanished?: readonly string[] }): Set<string> {
  return new Set([...state.deferred.map((b) => b.key), ...(state.vanished ?? [])]);
}

/**
 * Rows of `tables` a pull would fetch from the segments of one series read from its cursor (or
 * from the checkpoint the cursor is behind) on: each batch once, less what a checkpoint lists
 * that the cursor passed, merges of batches taken already, and batches those segments withdraw.
 */
export function rowsToPull(read: { readonly batches: readonly KnownBatch[]; readonly withdrawn: readonly string[] }, cursorBefore: number, pending: ReadonlySet<string>, tables: ReadonlySet<TableName>): number {
  const withdrawn = new Set(read.withdrawn);
  const seen = new Set<string>();
  let rows = 0;
  for (const b of skipMergedTaken(read.batches, cursorBefore, pending)) {
    if (seen.has(b.key) || withdrawn.has(b.key) || takenBefore(b, cursorBefore, pending) || !tables.has(b.table)) continue;
    seen.add(b.key);
    rows += b.rows;
  }
  return rows;
}

/**
 * What one pull from a database remote asked for. A database has no per-client index, so a
 * pull reads it whole (through these filters) unless an earlier pull of the same version
 * already read at least this much.
 */
export interface DatabaseRead {
  /** `--client`, or null for every client but this machine. */
  readonly client: string | null;
  /** `--since` day, or null for every day. */
  readonly since: string | null;
  /** The synced tables, sorted and comma-joined. */
  readonly tables: string;
}

export interface DatabaseCursor {
  /** The version of the database the reads below were of. */
  readonly etag: string;
  readonly reads: readonly DatabaseRead[];
}

/** True when `wanted` must read the database: it changed, or no earlier read of this version covers as much. */
export function planDatabaseRead(cursor: DatabaseCursor | undefined, etag: string, wanted: DatabaseRead): boolean {
  if (cursor === undefined || cursor.etag !== etag) return true;
  return !cursor.reads.some((r) => r.client === wanted.client && r.tables === wanted.tables && (r.since === null || (wanted.since !== null && r.since <= wanted.since)));
}

/** The cursor after `read` of version `etag` completed. */
export function advanceDatabaseCursor(cursor: DatabaseCursor | undefined, etag: string, read: DatabaseRead): DatabaseCursor {
  const earlier = cursor?.etag === etag ? cursor.reads : [];
  const kept = earlier.filter((r) => !(r.client === read.client && r.tables === read.tables && (read.since === null || (r.since !== null && read.since <= r.since))));
  return { etag, reads: [...kept, read] };
}
