/** SQL derived from the table definitions, plus the quoting every generated statement uses. */
import type { ColumnKind, TableDef } from './tables.ts';

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

/** `CAST(col AS TYPE) AS col, …`: gives any source the exact column types of the table. */
export function typedSelectList(table: TableDef, source = ''): string {
  const prefix = source ? `${source}.` : '';
  return table.columns
    .map((c) => `CAST(${prefix}${quoteIdent(c.name)} AS ${SQL_TYPES[c.kind]}) AS ${quoteIdent(c.name)}`)
    .join(', ');
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
