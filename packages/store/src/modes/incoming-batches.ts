/**
 * Batches a pull downloaded are another machine's bytes: each is checked before its rows are
 * rows here, and what fails is set aside and named, while every other batch goes on.
 *
 * - A file DuckDB cannot read as Parquet, or that lacks a column every row needs, is set aside.
 * - A file over the bounds below is set aside unread past its footer or one streaming pass:
 *   a dictionary-encoded batch of 500 KB can decode to gigabytes.
 * - A row is left out, and counted, when a column it needs is NULL or does not convert to its
 *   type, or a text value is over MAX_VALUE_BYTES: one bad row never affects the others.
 * - In a lake, a row's `client_id` is its series' name (the `client=` folder), whatever the
 *   file says: a teammate writing into their own series cannot pass rows off as another's.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { SQL_TYPES, TABLES, quoteIdent, quoteLiteral, type ColumnDef, type TableName } from '@bird/core';

/** More rows than one push writes into one batch (a whole imported history of one day is far less). */
export const MAX_ROWS_PER_BATCH = 1_000_000;
/** Decoded text in one batch; a day of one person's commands is a few megabytes. */
export const MAX_TEXT_BYTES_PER_BATCH = 128 * 1024 * 1024;
/** One text value (a command, a folder): a pasted script may be long, not this long. */
export const MAX_VALUE_BYTES = 1024 * 1024;

export interface SetAside {
  readonly file: string;
  /** Why, as a phrase: `is not a Parquet file DuckDB can read (…)`. */
  readonly reason: string;
}

export interface CheckedFiles {
  readonly good: string[];
  readonly setAside: SetAside[];
  /** Rows left out of good files, by file. */
  readonly rowsLeftOut: Map<string, number>;
  /** The table's columns present in at least one good file. */
  readonly columns: Set<string>;
}

/**
 * `path` (hive folders and a file name) as one file name: partitionsOfFile reads its partitions
 * back. A pull keeps its batches so, a folder per series rather than one per series and day:
 * tens of thousands of folders made and removed again cost more than reading the batches
 * (bench/first-pull.md).
 */
export function flatIncomingName(path: string): string {
  return encodeURIComponent(path).replace(/[*!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The hive partitions (`key=value` folders) a file's path names, its own name read as a flat
 * incoming name (flatIncomingName) first; the last value of a key wins, as a hive reader's.
 */
export function partitionsOfFile(file: string): Map<string, string> {
  const at = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  let name = file.slice(at + 1);
  try {
    name = decodeURIComponent(name);
  } catch {
    // not a flat incoming name: taken as it is
  }
  const parts = new Map<string, string>();
  for (const segment of [...file.slice(0, at + 1).split(/[\\/]/), ...name.split('/').slice(0, -1)]) {
    const eq = segment.indexOf('=');
    if (eq > 0) parts.set(segment.slice(0, eq), segment.slice(eq + 1));
  }
  return parts;
}

/**
 * How the incoming files are read: `date` (and `client` for a lake's batches) from their paths
 * (partitionsOfFile), over any column of that name a file holds, and `filename`.
 */
export function readIncoming(files: readonly string[], fromSeries: boolean): string {
  const keys = fromSeries ? ['date', 'client'] : ['date'];
  const values = files.map((f) => {
    const parts = partitionsOfFile(f);
    return `(${[f, ...keys.map((k) => parts.get(k))].map((v) => (v === undefined ? 'NULL' : quoteLiteral(v))).join(', ')})`;
  });
  const part = (k: string) => quoteIdent(`bird_partition_${k}`);
  const own = `COLUMNS(c -> c NOT IN (${['filename', ...keys, ...keys.map((k) => `bird_partition_${k}`), 'bird_partition_file'].map(quoteLiteral).join(', ')}))`;
  const scan = `read_parquet([${files.map(quoteLiteral).join(', ')}], hive_partitioning = false, union_by_name = true, filename = true)`;
  return `(SELECT filename, ${keys.map((k) => `${part(k)} AS ${quoteIdent(k)}`).join(', ')}, ${own} FROM ${scan} JOIN (VALUES ${values.join(', ')}) p(bird_partition_file, ${keys.map(part).join(', ')}) ON filename = bird_partition_file)`;
}

/** The table's columns as this batch gives them: a lake's client_id from its folder, absent ones NULL, the rest converted or NULL. */
export function incomingColumns(table: TableName, columns: ReadonlySet<string>, fromSeries: boolean): string {
  return TABLES[table].columns
    .map((c) => {
      if (c.name === 'client_id' && fromSeries) return `CAST("client" AS VARCHAR) AS "client_id"`;
      if (c.name === 'date') return `TRY_CAST("date" AS DATE) AS "date"`;
      if (!columns.has(c.name)) return `CAST(NULL AS ${SQL_TYPES[c.kind]}) AS ${quoteIdent(c.name)}`;
      return `TRY_CAST(${quoteIdent(c.name)} AS ${SQL_TYPES[c.kind]}) AS ${quoteIdent(c.name)}`;
    })
    .join(', ');
}

/** The condition a converted row must meet: every column it needs present, every text value within bounds. */
export function rowIsWhole(table: TableName): string {
  const checks = TABLES[table].columns.flatMap((c: ColumnDef) => [
    ...(c.nullable ? [] : [`${quoteIdent(c.name)} IS NOT NULL`]),
    ...(c.kind === 'text' ? [`coalesce(strlen(${quoteIdent(c.name)}), 0) <= ${MAX_VALUE_BYTES}`] : []),
  ]);
  return checks.join(' AND ');
}

const textColumns = (table: TableName, columns: ReadonlySet<string>) => TABLES[table].columns.filter((c) => c.kind === 'text' && columns.has(c.name) && c.name !== 'client_id');

export async function checkIncomingFiles(connection: DuckDBConnection, table: TableName, files: readonly string[], fromSeries: boolean): Promise<CheckedFiles> {
  const setAside: SetAside[] = [];
  const rowsLeftOut = new Map<string, number>();

  // 1. Footers: readable, with the columns every row needs, and a bounded number of rows.
  const schemas = new Map<string, { columns: Set<string>; rows: number }>();
  for (const file of files) schemas.set(file, { columns: new Set(), rows: 0 });
  const readFooters = async (some: readonly string[]) => {
    const list = `[${some.map(quoteLiteral).join(', ')}]`;
    const columns = (await connection.runAndReadAll(`SELECT file_name, name FROM parquet_schema(${list})`)).getRows();
    const rows = (await connection.runAndReadAll(`SELECT file_name, num_rows FROM parquet_file_metadata(${list})`)).getRows();
    for (const [file, name] of columns) schemas.get(String(file))?.columns.add(String(name));
    for (const [file, n] of rows) {
      const s = schemas.get(String(file));
      if (s) s.rows = Number(n);
    }
  };
  try {
    await readFooters(files);
  } catch {
    // one of them is unreadable: each alone, so only the bad ones are set aside
    for (const file of files) {
      try {
        await readFooters([file]);
      } catch (error) {
        schemas.delete(file);
        setAside.push({ file, reason: `is not a Parquet file DuckDB can read (${firstLine(error)})` });
      }
    }
  }
  const needed = TABLES[table].columns.filter((c) => !c.nullable && c.name !== 'date' && !(c.name === 'client_id' && fromSeries)).map((c) => c.name);
  let candidates: string[] = [];
  for (const [file, s] of schemas) {
    const missing = needed.filter((n) => !s.columns.has(n));
    if (missing.length > 0) setAside.push({ file, reason: `has no ${missing.map((m) => JSON.stringify(m)).join(', ')} column, which every ${table} row needs` });
    else if (s.rows > MAX_ROWS_PER_BATCH) setAside.push({ file, reason: `holds ${s.rows} rows, more than bird takes in one batch (${MAX_ROWS_PER_BATCH})` });
    else candidates.push(file);
  }

  // 2. One streaming pass: decoded text per file, and the rows that are not whole.
  const passOver = async (some: readonly string[]) => {
    const columns = new Set(some.flatMap((f) => [...schemas.get(f)!.columns]));
    const text = textColumns(table, columns).map((c) => `coalesce(strlen(${quoteIdent(c.name)}), 0)`);
    const sql = `SELECT filename, sum(${text.length > 0 ? text.join(' + ') : '0'}) AS bytes, count(*) FILTER (WHERE NOT coalesce(${rowIsWhole(table)}, false)) AS partial
      FROM (SELECT filename, ${incomingColumns(table, columns, fromSeries)} FROM ${readIncoming(some, fromSeries)}) GROUP BY filename`;
    return (await connection.runAndReadAll(sql)).getRows();
  };
  let stats: unknown[][] = [];
  try {
    stats = candidates.length > 0 ? await passOver(candidates) : [];
  } catch {
    // one of them is unreadable: each alone, so only the bad ones are set aside
    const kept: string[] = [];
    for (const file of candidates) {
      try {
        stats.push(...(await passOver([file])));
        kept.push(file);
      } catch (error) {
        setAside.push({ file, reason: `cannot be read whole (${firstLine(error)})` });
      }
    }
    candidates = kept;
  }
  const good: string[] = [];
  const byFile = new Map(stats.map((r) => [String(r[0]), { bytes: Number(r[1] ?? 0), partial: Number(r[2] ?? 0) }]));
  for (const file of candidates) {
    const s = byFile.get(file) ?? { bytes: 0, partial: 0 };
    if (s.bytes > MAX_TEXT_BYTES_PER_BATCH) {
      setAside.push({ file, reason: `decodes to ${Math.round(s.bytes / 1024 / 1024)} MB of text, more than bird takes in one batch (${MAX_TEXT_BYTES_PER_BATCH / 1024 / 1024} MB)` });
      continue;
    }
    if (s.partial > 0) rowsLeftOut.set(file, s.partial);
    good.push(file);
  }
  const columns = new Set(good.flatMap((f) => [...schemas.get(f)!.columns]));
  return { good, setAside, rowsLeftOut, columns };
}

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
