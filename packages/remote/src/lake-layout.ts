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

const SEGMENT = /^[^/.][^/]*$/; // no hidden part, no path separator
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** `<table>/client=<id>/date=<day>/<batch>.parquet`: the key of a batch, relative to the lake's root. */
export function lakeKey(b: LakeBatch): string {
  for (const [what, value] of [['client id', b.client], ['batch name', b.batch]] as const) {
    if (!SEGMENT.test(value) || GLOB_CHARS.test(value)) throw new Error(`${what} ${JSON.stringify(value)} cannot be part of a lake key`);
  }
  if (!DATE.test(b.date)) throw new Error(`date ${JSON.stringify(b.date)} is not YYYY-MM-DD`);
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
  if (!datePart.startsWith('date=') || !DATE.test(datePart.slice(5))) return null;
  if (!file.endsWith('.parquet') || file.length === '.parquet'.length) return null;
  return { table: table as TableName, client: clientPart.slice(7), date: datePart.slice(5), batch: file.slice(0, -'.parquet'.length) };
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
