/**
 * A truncated or foreign `.parquet` in a data folder must not stop queries. DuckDB names
 * the file it failed on; the connection checks that file on its own, and if it really is
 * unreadable (or lacks a column every row of the table must have, or has a column of another
 * type whose values do not convert) it is taken out of the query: moved from BIRD's own data
 * folders to `db/quarantine/` (kept, never deleted), or, for a remote, which is never
 * modified, left out of that remote's views on this connection. The query is then retried
 * and a warning names the file.
 *
 * A value that does not convert may fail in the view's CAST, where DuckDB names no file.
 * Only then (a query already failed with a conversion error) are the schemas of the table's
 * files read from their footers and compared with core's table definition, to find the
 * files to check: the happy path never pays for it.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { SQL_TYPES, TABLES, TABLE_NAMES, quarantineFile, quoteIdent, quoteLiteral, typedEmptySelect, type BirdLayout, type TableName } from '@bird/core';
import { isPlaceholderFile, localTableDir } from './layout.ts';

/** `db/data/local/<table>/…` or `db/data/cached/<name>/<table>/…` or a lake path: the table a file belongs to. */
export function tableOfFile(path: string): TableName | null {
  const parts = path.split(sep);
  for (let i = parts.length - 2; i >= 0; i--) {
    if ((TABLE_NAMES as readonly string[]).includes(parts[i]!)) return parts[i] as TableName;
  }
  return null;
}

async function rowsOf(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

const tableTypes = new Map<TableName, ReadonlyMap<string, string>>();

/** Each column's type as DuckDB names it (`TIMESTAMP WITH TIME ZONE`, not `TIMESTAMPTZ`), from core's definition. */
async function typesOf(connection: DuckDBConnection, table: TableName): Promise<ReadonlyMap<string, string>> {
  let types = tableTypes.get(table);
  if (!types) {
    types = new Map((await rowsOf(connection, `DESCRIBE ${typedEmptySelect(TABLES[table])}`)).map((r) => [String(r.column_name), String(r.column_type)]));
    tableTypes.set(table, types);
  }
  return types;
}

/** Why `file` cannot be part of its table, or null when it reads fine on its own. */
export async function whyBad(connection: DuckDBConnection, file: string): Promise<string | null> {
  if (!existsSync(file) || isPlaceholderFile(file)) return null;
  let columns: Map<string, string>;
  try {
    const described = await rowsOf(connection, `DESCRIBE SELECT * FROM read_parquet(${quoteLiteral(file)})`);
    columns = new Map(described.map((r) => [String(r.column_name), String(r.column_type)]));
    await connection.run(`SELECT count(*) FROM read_parquet(${quoteLiteral(file)})`);
  } catch (error) {
    return ((error as Error).message.split('\n')[0] ?? 'unreadable').replace(/^[A-Za-z ]+Error: /, '');
  }
  const table = tableOfFile(file);
  if (!table) return null;
  const missing = TABLES[table].columns.filter((c) => !c.nullable && !columns.has(c.name)).map((c) => c.name);
  if (missing.length > 0) return `not a BIRD ${table} file (no ${missing.join(', ')} column)`;
  // Another type is fine as long as every value converts (the views CAST each column); one that does not breaks every query.
  const expected = await typesOf(connection, table);
  for (const column of TABLES[table].columns) {
    const have = columns.get(column.name);
    const want = expected.get(column.name);
    if (have === undefined || have === want) continue;
    try {
      await connection.run(`SELECT count(CAST(${quoteIdent(column.name)} AS ${SQL_TYPES[column.kind]})) FROM read_parquet(${quoteLiteral(file)})`);
    } catch {
      // the file read whole just above, so what fails here is the CAST of this column
      return `column "${column.name}" is ${have}, not ${want}, and its values do not convert`;
    }
  }
  return null;
}

/** The tables a query may read, by name (`cwd_invocations()` and `remotes_events()` included). */
export function tablesNamedIn(sql: string): TableName[] {
  const text = sql.toLowerCase();
  return TABLE_NAMES.filter((table) => text.includes(table));
}

/** `<dir>/*\/*.parquet`: what a view's glob over a table folder (local or cached) reads. */
function folderFiles(dir: string): string[] {
  const out: string[] = [];
  let partitions: string[];
  try {
    partitions = readdirSync(dir);
  } catch {
    // no such table folder (nothing stored yet): no files
    return out;
  }
  for (const partition of partitions) {
    let names: string[];
    try {
      names = readdirSync(join(dir, partition));
    } catch {
      // a partition removed meanwhile (compacted), or unreadable: its files are not candidates
      continue;
    }
    for (const name of names) if (name.endsWith('.parquet')) out.push(join(dir, partition, name));
  }
  return out;
}

/** Every file of `table` in BIRD's own data folders: `local` and each pulled remote's. */
export function storedTableFiles(layout: BirdLayout, table: TableName): string[] {
  const out = folderFiles(localTableDir(layout, table));
  const cached = layout.cachedData;
  let remotes: string[] = [];
  try {
    remotes = readdirSync(cached);
  } catch {
    // nothing pulled yet
  }
  for (const remote of remotes) for (const file of folderFiles(join(cached, remote, table))) out.push(file);
  return out;
}

const SCHEMA_BATCH = 500;

/**
 * Of `files` (all of `table`), the ones whose footer gives a column of the table another type
 * than core's, or that cannot be read at all: the files worth a `whyBad`. Reads footers only.
 */
export async function mistypedCandidates(connection: DuckDBConnection, table: TableName, files: readonly string[]): Promise<string[]> {
  const expected = await typesOf(connection, table);
  const out: string[] = [];
  const schemaOf = (batch: readonly string[]) =>
    rowsOf(connection, `SELECT file_name, name, duckdb_type FROM parquet_schema([${batch.map(quoteLiteral).join(', ')}])`);
  const check = (rows: Record<string, unknown>[]) => {
    const flagged = new Set<string>();
    for (const r of rows) {
      const want = expected.get(String(r.name));
      // A nested column (STRUCT, LIST …) is a group with no type of its own; every table column is a plain one.
      const have = r.duckdb_type === null ? null : String(r.duckdb_type);
      if (want !== undefined && have !== want) flagged.add(String(r.file_name));
    }
    for (const file of flagged) out.push(file);
  };
  const wanted = files.filter((f) => !isPlaceholderFile(f));
  for (let i = 0; i < wanted.length; i += SCHEMA_BATCH) {
    const batch = wanted.slice(i, i + SCHEMA_BATCH);
    try {
      check(await schemaOf(batch));
    } catch {
      // One of them is unreadable: one at a time, and the unreadable ones are candidates too.
      for (const file of batch) {
        try {
          check(await schemaOf([file]));
        } catch {
          // unreadable on its own: a candidate, and whyBad says what is wrong with it
          out.push(file);
        }
      }
    }
  }
  return out;
}

/** Moves a bad file out of the data folders (core's quarantineFile); returns where it went. */
export function quarantine(layout: BirdLayout, file: string): string {
  return quarantineFile(layout, file);
}

export function isInside(dir: string, file: string): boolean {
  const rel = relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep);
}
