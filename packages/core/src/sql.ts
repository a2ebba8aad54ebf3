/** SQL derived from the table definitions, plus the quoting every generated statement uses. */
import { hasAddedColumns, type ColumnKind, type TableDef } from './tables.ts';

export const SQL_TYPES = {
  text: 'VARCHAR',
  int32: 'INTEGER',
  int64: 'BIGINT',
  timestamptz: 'TIMESTAMPTZ',
  date: 'DATE',
} as const satisfies Record<ColumnKind, string>;

/** Double-quotes an identifier; safe for any name, but callers still validate user-given names. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Single-quotes a string literal. NUL cannot be represented and is rejected. */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new Error('a SQL string literal cannot contain a NUL byte');
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * `CAST(col AS TYPE) AS col, …`: gives any source the exact column types of the table. With
 * `present` (the source's columns, e.g. another BIRD's database), a column it lacks reads as NULL.
 */
export function typedSelectList(table: TableDef, source = '', present?: ReadonlySet<string>): string {
  const prefix = source ? `${source}.` : '';
  return table.columns
    .map((c) => `CAST(${present && !present.has(c.name) ? 'NULL' : `${prefix}${quoteIdent(c.name)}`} AS ${SQL_TYPES[c.kind]}) AS ${quoteIdent(c.name)}`)
    .join(', ');
}

/**
 * What goes after FROM to read Parquet files of `table` (`args`: read_parquet's arguments). A table
 * that gained columns may have files from before them: those are read by name, against a typed
 * empty row that has every column, so a column no file has yet reads as NULL instead of failing the
 * bind. Only such tables pay for it (union_by_name reads every file's footer at bind time).
 */
export function parquetRead(table: TableDef, args: string): string {
  if (!hasAddedColumns(table)) return `read_parquet(${args})`;
  return `(${typedEmptySelect(table)} UNION ALL BY NAME SELECT * FROM read_parquet(${args}, union_by_name = true))`;
}

/** A zero-row SELECT with the table's exact columns and types, so unions and views always bind. */
export function typedEmptySelect(table: TableDef): string {
  const cols = table.columns
    .map((c) => `CAST(NULL AS ${SQL_TYPES[c.kind]}) AS ${quoteIdent(c.name)}`)
    .join(', ');
  return `SELECT ${cols} WHERE false`;
}

/** `CREATE TABLE` column list, e.g. for duckdb-mode local tables and placeholders. */
export function columnDefinitions(table: TableDef): string {
  return table.columns
    .map((c) => `${quoteIdent(c.name)} ${SQL_TYPES[c.kind]}${c.nullable ? '' : ' NOT NULL'}`)
    .join(', ');
}
