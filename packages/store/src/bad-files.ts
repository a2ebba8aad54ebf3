/**
 * A truncated or foreign `.parquet` in a data folder must not stop queries. DuckDB names
 * the file it failed on; the connection checks that file on its own, and if it really is
 * unreadable (or lacks a column every row of the table must have) it is taken out of the
 * query: moved from BIRD's own data folders to `db/quarantine/` (kept, never deleted), or,
 * for a remote, which is never modified, left out of that remote's views on this
 * connection. The query is then retried and a warning names the file.
 */
import { existsSync, renameSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { TABLES, TABLE_NAMES, makeDirs, quoteLiteral, type BirdLayout, type TableName } from '@bird/core';
import { isPlaceholderFile, quarantineDir } from './layout.ts';

/** The first `.parquet` path quoted in a DuckDB error: the file the error is about. */
export function fileNamedInError(message: string): string | null {
  const match = /['"]([^'"\n]+\.parquet)['"]/.exec(message);
  return match ? match[1]! : null;
}

/** `db/data/local/<table>/…` or `db/data/cached/<name>/<table>/…` or a lake path: the table a file belongs to. */
export function tableOfFile(path: string): TableName | null {
  const parts = path.split(sep);
  for (let i = parts.length - 2; i >= 0; i--) {
    if ((TABLE_NAMES as readonly string[]).includes(parts[i]!)) return parts[i] as TableName;
  }
  return null;
}

/** Why `file` cannot be part of its table, or null when it reads fine on its own. */
export async function whyBad(connection: DuckDBConnection, file: string): Promise<string | null> {
  if (!existsSync(file) || isPlaceholderFile(file)) return null;
  let columns: Set<string>;
  try {
    const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${quoteLiteral(file)})`);
    columns = new Set(described.getRowObjectsJS().map((r) => String(r.column_name)));
    await connection.run(`SELECT count(*) FROM read_parquet(${quoteLiteral(file)})`);
  } catch (error) {
    return ((error as Error).message.split('\n')[0] ?? 'unreadable').replace(/^[A-Za-z ]+Error: /, '');
  }
  const table = tableOfFile(file);
  if (!table) return null;
  const missing = TABLES[table].columns.filter((c) => !c.nullable && !columns.has(c.name)).map((c) => c.name);
  return missing.length > 0 ? `not a BIRD ${table} file (no ${missing.join(', ')} column)` : null;
}

/** Moves a bad file out of the data folders, keeping its relative path; returns where it went. */
export function quarantine(layout: BirdLayout, file: string): string {
  const rel = relative(layout.dataDir, file);
  let dest = join(quarantineDir(layout), rel);
  if (existsSync(dest)) dest = `${dest}.${Date.now()}`;
  makeDirs(dirname(dest));
  renameSync(file, dest);
  return dest;
}

export function isInside(dir: string, file: string): boolean {
  const rel = relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep);
}
