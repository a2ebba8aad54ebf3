/**
 * The lake's layout, in one place: an open, append-only Parquet lake that any engine reading
 * hive-partitioned Parquet can read with no bird code.
 *
 *   <root>/<table>/client=<client id>/date=<YYYY-MM-DD>/<batch>.parquet
 *   <root>/_bird/…                    bird's own small metadata, outside every table folder
 *
 * Each client writes only its own `client=` series, so two machines never write one object;
 * batches never change once written.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { GLOB_CHARS, TABLE_NAMES, type TableName } from '@bird/core';

/** The folder (or key prefix) of bird's metadata inside a lake. */
export const LAKE_META = '_bird';

export interface LakeBatch {
  readonly table: TableName;
  readonly client: string;
  /** `YYYY-MM-DD`, the UTC date of the rows' timestamps. */
  readonly date: string;
  /** The batch's name without `.parquet`. */
  readonly batch: string;
}

// No hidden part, no path separator, no control character (bird never writes one, and a name
// read from a lake is printed in messages: it must not be able to drive a terminal).
// eslint-disable-next-line no-control-regex
const SEGMENT = /^[^/.\u0000-\u001f\u007f-\u009f][^/\u0000-\u001f\u007f-\u009f]*$/;
const DATE_SHAPE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar day written `YYYY-MM-DD` (`2024-02-30` and `2024-99-99` are not). */
export function isLakeDate(value: string): boolean {
  const m = DATE_SHAPE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** `<table>/client=<id>/date=<day>/<batch>.parquet`: the key of a batch, relative to the lake's root. */
export function lakeKey(b: LakeBatch): string {
  for (const [what, value] of [['client id', b.client], ['batch name', b.batch]] as const) {
    if (!SEGMENT.test(value) || GLOB_CHARS.test(value)) throw new Error(`${what} ${JSON.stringify(value)} cannot be part of a lake key`);
  }
  if (!isLakeDate(b.date)) throw new Error(`date ${JSON.stringify(b.date)} is not a day written YYYY-MM-DD`);
  return `${b.table}/client=${b.client}/date=${b.date}/${b.batch}.parquet`;
}

/**
 * A key → its batch, or null for anything that is not one: metadata under `_bird/`, another
 * depth, a hidden part (a temporary upload), a glob character (readers glob the lake), a
 * folder not named `client=` / `date=`.
 */
export function parseLakeKey(key: string): LakeBatch | null {
  if (GLOB_CHARS.test(key)) return null;
  const parts = key.split('/');
  if (parts.length !== 4 || !parts.every((p) => SEGMENT.test(p))) return null;
  const [table, clientPart, datePart, file] = parts as [string, string, string, string];
  if (!(TABLE_NAMES as readonly string[]).includes(table)) return null;
  if (!clientPart.startsWith('client=') || clientPart.length === 'client='.length) return null;
  if (!datePart.startsWith('date=') || !isLakeDate(datePart.slice(5))) return null;
  if (!file.endsWith('.parquet') || file.length === '.parquet'.length) return null;
  return { table: table as TableName, client: clientPart.slice(7), date: datePart.slice(5), batch: file.slice(0, -'.parquet'.length) };
}

/**
 * True when every folder under `<root>/<table>/` is a series and every folder under those a real
 * day, so that a glob over the table reads only batches. A lake is written by others: one folder
 * named `date=not-a-date` would make every query over a glob fail (the partition value does not
 * convert), so such a table is read from a list of its batches instead.
 */
export function lakeTableIsPlain(root: string, table: TableName): boolean {
  const dirs = (dir: string) => {
    try {
      return readdirSync(dir, { withFileTypes: true });
    } catch {
      // a folder that is gone or unreadable holds nothing to read: listing goes on
      return [];
    }
  };
  for (const client of dirs(join(root, table))) {
    if (!client.name.startsWith('client=') || !SEGMENT.test(client.name) || GLOB_CHARS.test(client.name)) return false;
    if (!client.isDirectory()) continue;
    for (const date of dirs(join(root, table, client.name))) {
      if (!date.name.startsWith('date=') || !isLakeDate(date.name.slice(5))) return false;
    }
  }
  return true;
}

/** The glob a reader uses for one table of a lake in a folder (a file remote, or an S3 mirror). */
export function lakeTableGlob(root: string, table: TableName): string {
  return join(root, table, '*', '*', '*.parquet');
}

/** Every batch file of one table of a lake in a folder, sorted, at most `limit`. */
export function lakeTableFiles(root: string, table: TableName, limit = Infinity): string[] {
  const out: string[] = [];
  const dirs = (dir: string) => {
    try {
      return readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    } catch {
      // a folder that is gone or unreadable holds nothing to read: listing goes on
      return [];
    }
  };
  for (const client of dirs(join(root, table))) {
    if (!client.isDirectory()) continue;
    for (const date of dirs(join(root, table, client.name))) {
      if (!date.isDirectory()) continue;
      for (const file of dirs(join(root, table, client.name, date.name))) {
        if (out.length >= limit) return out;
        const key = `${table}/${client.name}/${date.name}/${file.name}`;
        if (file.isFile() && parseLakeKey(key)) out.push(join(root, key));
      }
    }
  }
  return out;
}

/**
 * The lake's format version, in `_bird/lake.json`. A reader refuses a lake of a newer version
 * (it could misread it); fields added within a version are ignored by older readers.
 */
export const LAKE_FORMAT_VERSION = 1;
export const LAKE_FORMAT_KEY = `${LAKE_META}/lake.json`;

/**
 * Each client's head, `_bird/heads/<client>.json`: the number of its last log segment. Only
 * that client writes it. One listing of `_bird/heads/` tells a puller which clients pushed
 * since it last looked, whatever the size of the lake.
 */
export const HEADS_PREFIX = `${LAKE_META}/heads/`;

export function headKey(client: string): string {
  checkSegment('client id', client);
  return `${HEADS_PREFIX}${client}.json`;
}

/** `_bird/heads/<client>.json` → the client, or null for any other key. */
export function parseHeadKey(key: string): string | null {
  if (!key.startsWith(HEADS_PREFIX) || !key.endsWith('.json')) return null;
  const client = key.slice(HEADS_PREFIX.length, -'.json'.length);
  return SEGMENT.test(client) && !GLOB_CHARS.test(client) && !client.includes('/') ? client : null;
}

/** `_bird/log/<client>/<seq>.json`: the batches one push added, immutable once written. Numbered from 1, zero-padded so keys sort by number. */
export function segmentKey(client: string, seq: number): string {
  checkSegment('client id', client);
  if (!Number.isSafeInteger(seq) || seq < 1) throw new Error(`log segment number ${seq} must be a whole number from 1`);
  return `${LAKE_META}/log/${client}/${String(seq).padStart(12, '0')}.json`;
}

/**
 * True when `key`'s folder holds objects of one client alone: a batch's `<table>/client=<id>/date=<d>/`,
 * a blob's `blobs/client=<id>/<2 hex>/` or a log's `_bird/log/<id>/`. Only that client writes there (one writer per series), so what
 * its dead pushes left there is its own to sweep; `_bird/heads/` and `_bird/` are shared.
 */
export function inSeriesFolder(key: string): boolean {
  return parseLakeKey(key) !== null || parseBlobKey(key) !== null || new RegExp(`^${LAKE_META}/log/[^/.][^/]*/[^/]+$`).test(key);
}

function checkSegment(what: string, value: string): void {
  if (!SEGMENT.test(value) || GLOB_CHARS.test(value)) throw new Error(`${what} ${JSON.stringify(value)} cannot be part of a lake key`);
}

/**
 * What commands printed, content-addressed, per series: `blobs/client=<id>/<2 hex>/<sha256>.gz`,
 * the same name and bytes (gzip of the output) as a store's own `db/blobs/`. Outside every table
 * folder, which hold only batches; per series so that only its owner writes or deletes there.
 */
export const BLOBS_PREFIX = 'blobs/';

const BLOB_HASH = /^[0-9a-f]{64}$/;

/** `blobs/client=<id>/`: one series' blob folder (a listing of it says what the lake has). */
export function seriesBlobPrefix(client: string): string {
  checkSegment('client id', client);
  return `${BLOBS_PREFIX}client=${client}/`;
}

/** The key of the blob of bytes whose SHA-256 is `contentHash`, in `client`'s series. */
export function blobKey(client: string, contentHash: string): string {
  if (!BLOB_HASH.test(contentHash)) throw new Error(`${JSON.stringify(contentHash)} is not a blob's name (64 hex digits)`);
  return `${seriesBlobPrefix(client)}${contentHash.slice(0, 2)}/${contentHash}.gz`;
}

/** A key → its series and content hash, or null for anything that is not a blob's key. */
export function parseBlobKey(key: string): { client: string; contentHash: string } | null {
  const m = /^blobs\/client=([^/]+)\/([0-9a-f]{2})\/(\2[0-9a-f]{62})\.gz$/.exec(key);
  if (m === null || !SEGMENT.test(m[1]!) || GLOB_CHARS.test(m[1]!)) return null;
  return { client: m[1]!, contentHash: m[3]! };
}
