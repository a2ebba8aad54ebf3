/**
 * The lake's small index under `_bird/` (keys in lake-layout.ts; the format in LAKE.md):
 * what a push writes after its batches, and what a pull reads instead of listing the lake.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BirdError, TABLE_NAMES, type TableName } from '@bird/core';
import { LAKE_FORMAT_KEY, LAKE_FORMAT_VERSION } from './lake-layout.ts';
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
}

export interface SegmentBatch {
  /** The batch's key (lake-layout's lakeKey). */
  readonly key: string;
  readonly table: TableName;
  readonly date: string;
  readonly rows: number;
  readonly bytes: number;
}

export interface LogSegment {
  readonly version: number;
  readonly client: string;
  readonly seq: number;
  readonly batches: readonly SegmentBatch[];
}

/** A small JSON object of the lake, or null when there is none. `scratch` is a local folder for the download. */
export async function readLakeJson(backend: RemoteBackend, key: string, scratch: string): Promise<unknown | null> {
  const dir = mkdtempSync(join(scratch, 'get-'));
  try {
    const file = join(dir, 'object.json');
    try {
      await backend.get(key, file);
    } catch (error) {
      if (error instanceof RemoteAccessError && error.failure === 'missing-object') return null;
      throw error;
    }
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as unknown;
    } catch {
      throw new BirdError(`${key} in ${backend.location} is not valid JSON; the lake's index is damaged (see LAKE.md), so fix or remove that object.`);
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
 * A newer version than this code knows is refused in one sentence naming the remote.
 */
export async function readLakeFormat(backend: RemoteBackend, remote: string, scratch: string): Promise<number | null> {
  const doc = (await readLakeJson(backend, LAKE_FORMAT_KEY, scratch)) as Partial<LakeFormat> | null;
  if (doc === null) return null;
  const version = typeof doc.version === 'number' ? doc.version : NaN;
  if (!(version >= 1)) throw new BirdError(`remote ${remote}: ${LAKE_FORMAT_KEY} does not say which format version the lake is; fix or remove it (see LAKE.md).`);
  if (version > LAKE_FORMAT_VERSION) {
    throw new BirdError(`remote ${remote} was written in lake format ${version}, newer than this bird understands (${LAKE_FORMAT_VERSION}); upgrade bird on this machine.`);
  }
  return version;
}

export function lakeFormatDoc(): LakeFormat {
  return { format: 'bird-lake', version: LAKE_FORMAT_VERSION };
}

/** A segment as read: its batches checked, anything unknown to this version left out. */
export function parseSegment(value: unknown, key: string): LogSegment {
  const doc = value as Partial<LogSegment> | null;
  if (!doc || typeof doc.seq !== 'number' || typeof doc.client !== 'string' || !Array.isArray(doc.batches)) {
    throw new BirdError(`${key} is not a log segment of bird's lake format; fix or remove it (see LAKE.md).`);
  }
  const batches = doc.batches.filter(
    (b): b is SegmentBatch => typeof b?.key === 'string' && (TABLE_NAMES as readonly string[]).includes(b.table) && typeof b.date === 'string',
  );
  return { version: doc.version ?? 1, client: doc.client, seq: doc.seq, batches };
}
