/**
 * The lake's small index under `_bird/` (keys in lake-layout.ts; the format in LAKE.md): what a
 * push writes after its batches, and what a pull reads instead of listing the lake.
 *
 * Every object here was written by another machine, or by hand: each is read with a size bound,
 * parsed into a checked value, and anything that does not check out is a `LakeIndexDamage`
 * naming the object, never a crash, a hang or a path outside the lake.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BirdError, COMMAND_ID, checkInstant, type TableName } from '@bird/core';
import { LAKE_FORMAT_KEY, LAKE_FORMAT_VERSION, parseLakeKey } from './lake-layout.ts';
import { RemoteAccessError, type RemoteBackend } from './remote-backend.ts';

export interface LakeFormat {
  readonly format: 'bird-lake';
  readonly version: number;
}

export interface ClientHead {
  readonly version: number;
  readonly client: string;
  /** The last log segment this client wrote; 0 before its first. */
  readonly seq: number;
  /**
   * A fresh random value for each push, also written into its segment. A writer compares the
   * head with the token it last wrote: another value means another store wrote the series since
   * (two machines with one client id, or a copied store). Absent in heads of older birds.
   */
  readonly token?: string;
  /** The short host name of the machine that wrote the head, for messages. */
  readonly host?: string;
  /**
   * The series' last checkpoint segment (LAKE.md, "Checkpoints"): it lists every live batch, and
   * segments before it may be gone. A reader behind it reads it instead of those.
   */
  readonly checkpoint?: number;
}

export interface SegmentBatch {
  /** The batch's key (lake-layout's lakeKey); table and date are the key's own. */
  readonly key: string;
  readonly table: TableName;
  readonly date: string;
  readonly rows: number;
  readonly bytes: number;
  /**
   * A merged batch (an owner's compaction): the batches of this series whose rows it holds, each
   * withdrawn by the same segment. Absent on a batch of new rows.
   */
  readonly replaces?: readonly string[];
  /**
   * With `replaces`: the highest segment number that listed any replaced batch. A reader whose
   * cursor was at least this before it read the segment took every replaced batch already.
   */
  readonly upTo?: number;
  /** In a checkpoint only: the segment that first listed the batch (a reader past it took it). */
  readonly seq?: number;
}

export interface LogSegment {
  readonly version: number;
  readonly client: string;
  readonly seq: number;
  /** The push's token (see ClientHead.token); absent in segments of older birds. */
  readonly token?: string;
  readonly batches: readonly SegmentBatch[];
  /**
   * Batches of this series the push withdrew (written again without forgotten rows, as the
   * batches it lists): a reader fetches none of them from here on; the owner deletes them.
   */
  readonly withdrawn?: readonly string[];
  /** Ids of this series' commands its owner forgot: a reader removes its copies, and keeps them out for good. */
  readonly forgotten?: readonly string[];
  /**
   * Every command of this series that started before this instant (ISO 8601, UTC, to the
   * millisecond) was forgotten by its owner (a retention, `bird forget --before`): a reader
   * removes its copies of them and keeps them out for good, and fetches no batch of the series
   * of an earlier day (the owner deletes those; a batch of the cutoff's own day that held such
   * commands is withdrawn, written again without them).
   */
  readonly forgottenBefore?: string;
  /**
   * A checkpoint: `batches` is every live batch of the series (each with the `seq` that first
   * listed it), `forgotten` every id and `forgottenBefore` the furthest range the series forgot.
   */
  readonly checkpoint?: true;
}

/** A checked segment, with the entries that were left out and why (one phrase each). */
export interface ReadSegment extends LogSegment {
  readonly rejected: readonly string[];
}

/** A head, a segment or the format object that is not what the lake format says it must be. */
export class LakeIndexDamage extends BirdError {
  constructor(
    /** The object's key. */
    readonly key: string,
    /** What is wrong, as a phrase: `is not valid JSON`, `is missing although … names it`. */
    readonly reason: string,
  ) {
    super(`${key} ${reason}`);
    this.name = 'LakeIndexDamage';
  }
}

/** Index objects are small (a segment lists one push's batches): anything larger is refused unread. */
export const MAX_INDEX_OBJECT_BYTES = 4 * 1024 * 1024;
/** Bounds on what one head or segment may say, far above what a push writes. */
const MAX_SEQ = 1e12;
const MAX_BATCHES_PER_SEGMENT = 100_000;
const TOKEN = /^[0-9a-f]{8,64}$/;
const HOST = /^[^\s/\\\p{Cc}]{1,255}$/u;

/**
 * A small JSON object of the lake, or null when there is none. Throws LakeIndexDamage when it is
 * larger than MAX_INDEX_OBJECT_BYTES or not JSON. `scratch` is a local folder for the download.
 */
export async function readLakeJson(backend: RemoteBackend, key: string, scratch: string): Promise<unknown | null> {
  const dir = mkdtempSync(join(scratch, 'get-'));
  try {
    const file = join(dir, 'object.json');
    try {
      await backend.get(key, file, { maxBytes: MAX_INDEX_OBJECT_BYTES });
    } catch (error) {
      if (error instanceof RemoteAccessError && error.failure === 'missing-object') return null;
      if (error instanceof RemoteAccessError && error.failure === 'too-large') throw new LakeIndexDamage(key, `is larger than ${MAX_INDEX_OBJECT_BYTES} bytes, which no index object of bird's is`);
      throw error;
    }
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as unknown;
    } catch {
      throw new LakeIndexDamage(key, 'is not valid JSON');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function writeLakeJson(backend: RemoteBackend, key: string, value: unknown, scratch: string): Promise<void> {
  const dir = mkdtempSync(join(scratch, 'put-'));
  try {
    const file = join(dir, 'object.json');
    writeFileSync(file, `${JSON.stringify(value)}\n`, { mode: 0o600 });
    await backend.put(key, file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The lake's format version (null: no `_bird/lake.json`, a lake no push of bird's made yet).
 * A newer version than this code knows is refused in one sentence naming the remote. A damaged
 * format object is reported through `onDamage` and read as this version: the heads beside it
 * still say what each client pushed, and the next push writes the object again.
 */
export async function readLakeFormat(backend: RemoteBackend, remote: string, scratch: string, onDamage: (damage: LakeIndexDamage) => void = () => {}): Promise<number | null> {
  let doc: unknown;
  try {
    doc = await readLakeJson(backend, LAKE_FORMAT_KEY, scratch);
  } catch (error) {
    if (!(error instanceof LakeIndexDamage)) throw error;
    onDamage(error);
    return LAKE_FORMAT_VERSION;
  }
  if (doc === null) return null;
  const version = isRecord(doc) && typeof doc.version === 'number' ? doc.version : NaN;
  if (!(Number.isInteger(version) && version >= 1)) {
    onDamage(new LakeIndexDamage(LAKE_FORMAT_KEY, 'does not say which format version the lake is'));
    return LAKE_FORMAT_VERSION;
  }
  if (version > LAKE_FORMAT_VERSION) {
    throw new BirdError(`remote ${remote} was written in lake format ${version}, newer than this bird understands (${LAKE_FORMAT_VERSION}); upgrade bird on this machine.`);
  }
  return version;
}

export function lakeFormatDoc(): LakeFormat {
  return { format: 'bird-lake', version: LAKE_FORMAT_VERSION };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** `client`'s head as read from `key`: checked, or a LakeIndexDamage saying what is wrong. */
export function parseHead(value: unknown, key: string, client: string): ClientHead {
  if (!isRecord(value) || !isCount(value.seq) || value.seq > MAX_SEQ) throw new LakeIndexDamage(key, 'is not a head of bird\'s lake format (it needs a whole "seq")');
  if (value.client !== client) throw new LakeIndexDamage(key, `names client ${JSON.stringify(value.client)}, not ${JSON.stringify(client)}`);
  if (value.token !== undefined && (typeof value.token !== 'string' || !TOKEN.test(value.token))) throw new LakeIndexDamage(key, 'holds a "token" that is not one bird writes');
  return {
    version: isCount(value.version) ? value.version : 1,
    client,
    seq: value.seq,
    ...(typeof value.token === 'string' ? { token: value.token } : {}),
    ...(typeof value.host === 'string' && HOST.test(value.host) ? { host: value.host } : {}),
    // A checkpoint the head names must be one of its segments; another value is not followed.
    ...(isCount(value.checkpoint) && value.checkpoint >= 1 && value.checkpoint <= value.seq ? { checkpoint: value.checkpoint } : {}),
  };
}

/**
 * Segment `seq` of `client` as read from `key`. The segment must say it is that one; each batch
 * must be a batch key of that client's own series (`<table>/client=<client>/date=…/…`), whose
 * table and date are taken from the key itself, never from fields beside it. Entries that fail
 * are left out and named in `rejected`; the rest of the segment stands.
 */
export function parseSegment(value: unknown, key: string, expected: { client: string; seq: number }): ReadSegment {
  if (!isRecord(value) || !isCount(value.seq) || typeof value.client !== 'string' || !Array.isArray(value.batches)) {
    throw new LakeIndexDamage(key, 'is not a log segment of bird\'s lake format');
  }
  if (value.client !== expected.client || value.seq !== expected.seq) {
    throw new LakeIndexDamage(key, `says it is segment ${value.seq} of ${JSON.stringify(value.client)}, not ${expected.seq} of ${JSON.stringify(expected.client)}`);
  }
  if (value.batches.length > MAX_BATCHES_PER_SEGMENT) throw new LakeIndexDamage(key, `lists ${value.batches.length} batches, more than a push writes (${MAX_BATCHES_PER_SEGMENT})`);
  if (value.token !== undefined && (typeof value.token !== 'string' || !TOKEN.test(value.token))) throw new LakeIndexDamage(key, 'holds a "token" that is not one bird writes');
  const batches: SegmentBatch[] = [];
  const rejected: string[] = [];
  const seen = new Set<string>();
  for (const entry of value.batches as unknown[]) {
    const batchKey = isRecord(entry) && typeof entry.key === 'string' ? entry.key : null;
    const batch = batchKey === null ? null : parseLakeKey(batchKey);
    if (batch === null) {
      rejected.push(`an entry that is not a batch key (${JSON.stringify(isRecord(entry) ? entry.key : entry)?.slice(0, 200)})`);
      continue;
    }
    if (batch.client !== expected.client) {
      rejected.push(`batch ${batchKey} of another client's series`);
      continue;
    }
    if (seen.has(batchKey!)) continue;
    seen.add(batchKey!);
    const e = entry as Record<string, unknown>;
    batches.push({ key: batchKey!, table: batch.table, date: batch.date, rows: isCount(e.rows) ? e.rows : 0, bytes: isCount(e.bytes) ? e.bytes : 0, ...mergedFrom(e, batchKey!, expected.client, rejected), ...(value.checkpoint === true && isCount(e.seq) && e.seq <= expected.seq ? { seq: e.seq } : {}) });
  }
  // Withdrawals and tombstones hold in this series only: a key of another series, or an id that is
  // not one, is left out and named, like a bad batch entry.
  const withdrawn: string[] = [];
  for (const k of Array.isArray(value.withdrawn) ? (value.withdrawn as unknown[]) : []) {
    const batch = typeof k === 'string' ? parseLakeKey(k) : null;
    if (batch !== null && batch.client === expected.client) withdrawn.push(k as string);
    else rejected.push(`a withdrawal that is not a batch of this series (${JSON.stringify(k)?.slice(0, 200)})`);
  }
  const forgotten: string[] = [];
  for (const id of Array.isArray(value.forgotten) ? (value.forgotten as unknown[]) : []) {
    if (typeof id === 'string' && COMMAND_ID.test(id)) forgotten.push(id);
    else rejected.push(`a forgotten id that is not one (${JSON.stringify(id)?.slice(0, 200)})`);
  }
  const forgottenBefore = value.forgottenBefore === undefined ? null : checkInstant(value.forgottenBefore);
  if (value.forgottenBefore !== undefined && forgottenBefore === null) rejected.push(`a "forgottenBefore" that is not an instant bird writes (${JSON.stringify(value.forgottenBefore)?.slice(0, 200)})`);
  return {
    version: isCount(value.version) ? value.version : 1,
    client: expected.client,
    seq: expected.seq,
    ...(typeof value.token === 'string' ? { token: value.token } : {}),
    batches,
    ...(withdrawn.length > 0 ? { withdrawn } : {}),
    ...(forgotten.length > 0 ? { forgotten } : {}),
    ...(forgottenBefore !== null ? { forgottenBefore } : {}),
    ...(value.checkpoint === true ? { checkpoint: true as const } : {}),
    rejected,
  };
}

/**
 * The `replaces` and `upTo` of a merged batch entry, checked: every replaced key a batch of this
 * series, `upTo` a whole segment number. A field that fails is left out and named once (the
 * batch is then fetched like any other, which never stores a row twice); the rest stands.
 */
function mergedFrom(entry: Record<string, unknown>, batchKey: string, client: string, rejected: string[]): Pick<SegmentBatch, 'replaces' | 'upTo'> {
  if (entry.replaces === undefined && entry.upTo === undefined) return {};
  const list = Array.isArray(entry.replaces) ? (entry.replaces as unknown[]) : null;
  const bad = list === null ? [entry.replaces] : list.filter((k) => typeof k !== 'string' || parseLakeKey(k)?.client !== client);
  if (list === null || bad.length > 0 || list.length > MAX_BATCHES_PER_SEGMENT) {
    rejected.push(`the "replaces" of batch ${batchKey}, which names what is not a batch of this series (${JSON.stringify(bad.slice(0, 3))?.slice(0, 200)})`);
    return {};
  }
  if (!isCount(entry.upTo) || entry.upTo > MAX_SEQ) {
    rejected.push(`the "upTo" of batch ${batchKey}, which is not a segment number (${JSON.stringify(entry.upTo)?.slice(0, 200)})`);
    return {};
  }
  return { replaces: [...new Set(list as string[])], upTo: entry.upTo };
}

/** A segment as this bird writes it. */
export function segmentDoc(client: string, seq: number, token: string, batches: readonly SegmentBatch[], forgets: { withdrawn?: readonly string[]; forgotten?: readonly string[]; forgottenBefore?: string; checkpoint?: boolean } = {}): LogSegment {
  return {
    version: 1,
    client,
    seq,
    token,
    batches,
    ...(forgets.withdrawn?.length ? { withdrawn: forgets.withdrawn } : {}),
    ...(forgets.forgotten?.length ? { forgotten: forgets.forgotten } : {}),
    ...(forgets.forgottenBefore !== undefined ? { forgottenBefore: forgets.forgottenBefore } : {}),
    ...(forgets.checkpoint ? { checkpoint: true as const } : {}),
  };
}

/** A head as this bird writes it. */
export function headDoc(client: string, seq: number, token: string, host: string, checkpoint?: number): ClientHead {
  return { version: 1, client, seq, token, host, ...(checkpoint !== undefined ? { checkpoint } : {}) };
}
