// Reads back what BIRD wrote with a real, in-memory DuckDB: the same engine every query uses.
import { DuckDBInstance } from '@duckdb/node-api';
import { quoteLiteral } from '@bird/core';

export type Row = Record<string, unknown>;

/** Runs `sql` on a fresh in-memory DuckDB and returns the rows as plain JS values. */
export async function duckdbRows(sql: string): Promise<Row[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJS() as Row[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** `read_parquet('<glob or path>')` with the literal quoted. */
export function readParquet(pathOrGlob: string): string {
  return `read_parquet(${quoteLiteral(pathOrGlob)})`;
}

/** Column name → DuckDB type name, as DuckDB infers it from the file. */
export async function parquetColumnTypes(path: string): Promise<Record<string, string>> {
  const rows = await duckdbRows(`DESCRIBE SELECT * FROM ${readParquet(path)}`);
  return Object.fromEntries(rows.map((r) => [r.column_name as string, r.column_type as string]));
}
