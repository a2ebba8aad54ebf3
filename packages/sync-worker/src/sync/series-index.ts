/**
 * Reading one client's series from a lake: its head, its log from a cursor on, or, when the
 * index is damaged, its folders. Everything read is checked (lake-index.ts); damage comes back
 * as a value naming the object, never as a crash, so a caller can fall back and go on.
 */
import { TABLE_NAMES } from '@bird/core';
import { HEADS_PREFIX, LAKE_META, LakeIndexDamage, headKey, parseHead, parseHeadKey, parseLakeKey, parseSegment, readLakeJson, segmentKey, type ClientHead, type ReadSegment, type RemoteBackend } from '@bird/remote';
import type { KnownBatch } from './plan-sync.ts';

export type HeadRead = { readonly kind: 'missing' } | { readonly kind: 'damaged'; readonly damage: LakeIndexDamage } | { readonly kind: 'present'; readonly head: ClientHead };

export async function readHead(backend: RemoteBackend, client: string, scratch: string): Promise<HeadRead> {
  const key = headKey(client);
  try {
    const doc = await readLakeJson(backend, key, scratch);
    if (doc === null) return { kind: 'missing' };
    return { kind: 'present', head: parseHead(doc, key, client) };
  } catch (error) {
    if (error instanceof LakeIndexDamage) return { kind: 'damaged', damage: error };
    throw error;
  }
}

export interface LogRead {
  /** The batches the segments read name (only those before any damage). */
  readonly batches: KnownBatch[];
  /** Entries of good segments that were left out, one phrase each. */
  readonly rejected: string[];
  /** The last segment read whole. */
  readonly lastSeq: number;
  /** The first segment found missing or damaged, if any; reading stopped there. */
  readonly damage: LakeIndexDamage | null;
  /** The token of each segment read, by number (a writer checks its own pushes with them). */
  readonly tokens: ReadonlyMap<number, string | null>;
  /** Batches the segments read withdrew (rewritten without forgotten rows): fetch none of them. */
  readonly withdrawn: string[];
  /** Ids of commands the series' owner forgot, in the segments read. */
  readonly forgotten: string[];
  /** The furthest range forget of the segments read (every command of the series before it), if any. */
  readonly forgottenBefore?: string;
  /** Every live batch of the series as of the last checkpoint read, if one was: any other it named before is gone. */
  readonly live?: ReadonlySet<string>;
}

/** Segments read at once. */
const LOG_CONCURRENCY = 8;

/**
 * Segments `from + 1` … `to` of `client`, in order, a few at a time. Numbers are produced as
 * they are read, never as a list, so a head that claims a billion segments costs what is
 * really there: reading stops at the first segment that is missing or damaged.
 */
export async function readLog(backend: RemoteBackend, client: string, from: number, to: number, scratch: string): Promise<LogRead> {
  const batches: KnownBatch[] = [];
  const rejected: string[] = [];
  const tokens = new Map<number, string | null>();
  const withdrawn: string[] = [];
  const forgotten: string[] = [];
  let forgottenBefore: string | undefined;
  let live: Set<string> | undefined;
  const furthest = (seen: string | undefined) => (seen !== undefined && (forgottenBefore === undefined || Date.parse(seen) > Date.parse(forgottenBefore)) ? seen : forgottenBefore);
  for (let start = from + 1; start <= to; start += LOG_CONCURRENCY) {
    const seqs: number[] = [];
    for (let seq = start; seq <= to && seqs.length < LOG_CONCURRENCY; seq++) seqs.push(seq);
    const read = await Promise.all(seqs.map((seq) => readSegment(backend, client, seq, scratch)));
    for (let i = 0; i < seqs.length; i++) {
      const result = read[i]!;
      if (result instanceof LakeIndexDamage) return { batches, rejected, lastSeq: seqs[i]! - 1, damage: result, tokens, withdrawn, forgotten, ...(forgottenBefore ? { forgottenBefore } : {}), ...(live ? { live } : {}) };
      if (result.checkpoint) live = new Set(result.batches.map((b) => b.key));
      for (const b of result.batches) batches.push({ ...b, client });
      withdrawn.push(...(result.withdrawn ?? []));
      forgotten.push(...(result.forgotten ?? []));
      forgottenBefore = furthest(result.forgottenBefore);
      for (const r of result.rejected) rejected.push(`${segmentKey(client, seqs[i]!)}: ${r}`);
      tokens.set(seqs[i]!, result.token ?? null);
    }
  }
  return { batches, rejected, lastSeq: Math.max(from, to), damage: null, tokens, withdrawn, forgotten, ...(forgottenBefore ? { forgottenBefore } : {}), ...(live ? { live } : {}) };
}

/** Segment `seq` of `client`, checked as every reader checks it, or the damage that stops a reader there. */
export async function readSegment(backend: RemoteBackend, client: string, seq: number, scratch: string): Promise<ReadSegment | LakeIndexDamage> {
  const key = segmentKey(client, seq);
  try {
    const doc = await readLakeJson(backend, key, scratch);
    if (doc === null) return new LakeIndexDamage(key, `is missing although ${headKey(client)} names segment ${seq}`);
    return parseSegment(doc, key, { client, seq });
  } catch (error) {
    if (error instanceof LakeIndexDamage) return error;
    throw error;
  }
}

/** Every batch in `client`'s series folders, from a listing of each table's (the fallback when the index cannot be followed). */
export async function listSeriesBatches(backend: RemoteBackend, client: string): Promise<KnownBatch[]> {
  const listings = await Promise.all(TABLE_NAMES.map((table) => backend.list(`${table}/client=${client}/`)));
  return listings.flat().flatMap((o) => {
    const batch = parseLakeKey(o.key);
    return batch === null || batch.client !== client ? [] : [{ key: o.key, table: batch.table, date: batch.date, client, rows: 0, bytes: o.size }];
  });
}

/** The numbers of `client`'s segments that exist, from a listing of its log folder. */
export async function listSegmentNumbers(backend: RemoteBackend, client: string): Promise<number[]> {
  headKey(client); // checks the client id
  const prefix = `${LAKE_META}/log/${client}/`;
  const out: number[] = [];
  for (const o of await backend.list(prefix)) {
    const match = /^([0-9]{12})\.json$/.exec(o.key.slice(prefix.length));
    if (match) out.push(Number(match[1]));
  }
  return out.sort((a, b) => a - b);
}

/** Clients with a head in the lake, with the listing's etag of each. */
export async function listHeads(backend: RemoteBackend): Promise<{ client: string; etag: string; size: number }[]> {
  return (await backend.list(HEADS_PREFIX)).flatMap((o) => {
    const client = parseHeadKey(o.key);
    return client === null ? [] : [{ client, etag: o.etag, size: o.size }];
  });
}
