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
import { readParquetFooter } from '@bird/writer-parquet';

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
  /** True when the good files' rows are in STAGED_ROWS already, converted (stageInOnePass). */
  readonly staged: boolean;
  /** True when the good files have one schema (readIncoming's `oneSchema`). */
  readonly oneSchema: boolean;
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
 * (partitionsOfFile), over any column of that name a file holds, and `filename`. Files of one
 * schema (`oneSchema`) are read without union_by_name, which opens every file once more first.
 */
export function readIncoming(files: readonly string[], fromSeries: boolean, oneSchema = false): string {
  const keys = fromSeries ? ['date', 'client'] : ['date'];
  const values = files.map((f) => {
    const parts = partitionsOfFile(f);
    return `(${[f, ...keys.map((k) => parts.get(k))].map((v) => (v === undefined ? 'NULL' : quoteLiteral(v))).join(', ')})`;
  });
  const part = (k: string) => quoteIdent(`bird_partition_${k}`);
  const own = `COLUMNS(c -> c NOT IN (${['filename', ...keys, ...keys.map((k) => `bird_partition_${k}`), 'bird_partition_file'].map(quoteLiteral).join(', ')}))`;
  const scan = `read_parquet([${files.map(quoteLiteral).join(', ')}], hive_partitioning = false, union_by_name = ${!oneSchema}, filename = true)`;
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
  // `schema`: the footer's schema bytes (read in JS), or the file's own name (read by DuckDB).
  const schemas = new Map<string, { columns: Set<string>; rows: number; schema: string }>();
  const oneSchema = (some: readonly string[]) => new Set(some.map((f) => schemas.get(f)!.schema)).size === 1;
  const readFooters = async (some: readonly string[]) => {
    for (const file of some) schemas.set(file, { columns: new Set(), rows: 0, schema: file });
    const list = `[${some.map(quoteLiteral).join(', ')}]`;
    const columns = (await connection.runAndReadAll(`SELECT file_name, name FROM parquet_schema(${list})`)).getRows();
    const rows = (await connection.runAndReadAll(`SELECT file_name, num_rows FROM parquet_file_metadata(${list})`)).getRows();
    for (const [file, name] of columns) schemas.get(String(file))?.columns.add(String(name));
    for (const [file, n] of rows) {
      const s = schemas.get(String(file));
      if (s) s.rows = Number(n);
    }
  };
  // Read in JS (DuckDB opens a file for its footer at ~0.6 ms, bench/first-pull.md); one that
  // does not decode here is asked of DuckDB alone, which says why it is not Parquet.
  for (const file of files) {
    try {
      const footer = readParquetFooter(file);
      schemas.set(file, { columns: new Set(footer.columns), rows: footer.rows, schema: footer.schemaKey });
    } catch {
      // not decoded in JS: DuckDB's own read decides, and its error is the one named
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
      FROM (SELECT filename, ${incomingColumns(table, columns, fromSeries)} FROM ${readIncoming(some, fromSeries, oneSchema(some))}) GROUP BY filename`;
    return (await connection.runAndReadAll(sql)).getRows();
  };
  // Most pulls: the rows staged in the same pass that checks them (each file opened once).
  const onePass = candidates.length > 0 ? await stageInOnePass(connection, table, candidates, new Set(candidates.flatMap((f) => [...schemas.get(f)!.columns])), fromSeries, oneSchema(candidates)) : null;
  let stats: unknown[][] = onePass ?? [];
  if (onePass === null && candidates.length > 0) {
    try {
      stats = await passOver(candidates);
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
  return { good, setAside, rowsLeftOut, columns, staged: onePass !== null, oneSchema: good.length > 0 && oneSchema(good) };
}

/** The temporary table stageInOnePass leaves the incoming rows in. */
export const STAGED_ROWS = 'bird_incoming_rows';

/**
 * Reads `files` once into STAGED_ROWS (the table's columns, converted as incomingColumns says,
 * and each row's file) and returns each file's decoded text and rows that are not whole, as
 * the checking pass does. Null, leaving no table, when a file does not read or the text of all
 * of them passes one batch's bound: a running sum stops the scan there, so a dictionary bomb
 * costs what one batch may, and the files go through the pass that checks each alone.
 */
async function stageInOnePass(connection: DuckDBConnection, table: TableName, files: readonly string[], columns: ReadonlySet<string>, fromSeries: boolean, oneSchema: boolean): Promise<unknown[][] | null> {
  const text = textColumns(table, columns).map((c) => `coalesce(strlen(${quoteIdent(c.name)}), 0)`);
  const bytes = text.length > 0 ? text.join(' + ') : '0';
  try {
    // The bound is a filter, not a column: DuckDB drops a column nothing reads, error() and all.
    await connection.run(`CREATE OR REPLACE TEMP TABLE ${STAGED_ROWS} AS SELECT * EXCLUDE (bird_text_so_far) FROM (
      SELECT *, sum(bird_text_bytes) OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS bird_text_so_far
      FROM (SELECT *, ${bytes} AS bird_text_bytes FROM (SELECT filename AS bird_file, ${incomingColumns(table, columns, fromSeries)} FROM ${readIncoming(files, fromSeries, oneSchema)})))
      WHERE CASE WHEN bird_text_so_far > ${MAX_TEXT_BYTES_PER_BATCH} THEN error('over the bound') ELSE true END`);
    return (
      await connection.runAndReadAll(`SELECT bird_file, sum(bird_text_bytes), count(*) FILTER (WHERE NOT coalesce(${rowIsWhole(table)}, false)) FROM ${STAGED_ROWS} GROUP BY bird_file`)
    ).getRows();
  } catch {
    // a file that does not read, or too much text: the careful pass says which
    await connection.run(`DROP TABLE IF EXISTS ${STAGED_ROWS}`);
    return null;
  }
}

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
