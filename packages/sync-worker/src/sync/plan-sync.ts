/**
 * What a push and a pull must do, as pure functions of what is known locally and what the
 * lake's index says (PROTOCOL.md, "Push and pull"). No I/O here: push.ts and pull.ts do it.
 */
import type { TableName } from '@bird/core';
import type { SegmentBatch } from '@bird/remote';

export interface PushInput {
  /** The last segment this machine knows it committed (local state). */
  readonly localSeq: number;
  /** The segment number in this client's head on the remote (0: none yet). */
  readonly remoteSeq: number;
  /** Pushes staged in the outbox and not yet committed locally, by segment number. */
  readonly outbox: readonly number[];
}

export interface PushPlan {
  /** Staged pushes the remote already has (the head names them): only the local commit is left. */
  readonly commitOnly: readonly number[];
  /** Staged pushes to upload (batches, then segment, then head), in this order. */
  readonly upload: readonly number[];
  /**
   * Segments on the remote that this machine has no record of (its state was lost, or restored
   * from a backup): their rows are read back into the ledger so they are not pushed twice.
   */
  readonly recover: readonly number[];
  /** The number the next new push gets. */
  readonly nextSeq: number;
}

export function planPush({ localSeq, remoteSeq, outbox }: PushInput): PushPlan {
  const staged = [...outbox].sort((a, b) => a - b);
  const commitOnly = staged.filter((seq) => seq <= remoteSeq);
  const upload = staged.filter((seq) => seq > remoteSeq);
  const recover: number[] = [];
  for (let seq = localSeq + 1; seq <= remoteSeq; seq++) if (!staged.includes(seq)) recover.push(seq);
  const nextSeq = Math.max(localSeq, remoteSeq, ...staged, 0) + 1;
  return { commitOnly, upload, recover, nextSeq };
}

export interface PullCursor {
  /** The last segment of this client read. */
  readonly seq: number;
  /** The head's etag when it was read: an unchanged etag means no new segment. */
  readonly etag: string;
}

export interface HeadListing {
  readonly client: string;
  readonly etag: string;
}

/** The clients whose head must be read: changed since last time, not this machine (unless asked for), and the one asked for with --client. */
export function planHeadReads(heads: readonly HeadListing[], cursors: Readonly<Record<string, PullCursor>>, self: string, only?: string): string[] {
  return heads
    .filter((h) => (only !== undefined ? h.client === only : h.client !== self))
    .filter((h) => cursors[h.client]?.etag !== h.etag)
    .map((h) => h.client);
}

/** Segment numbers to read for a client whose head says `headSeq`. */
export function planSegmentReads(cursorSeq: number, headSeq: number): number[] {
  const out: number[] = [];
  for (let seq = cursorSeq + 1; seq <= headSeq; seq++) out.push(seq);
  return out;
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
