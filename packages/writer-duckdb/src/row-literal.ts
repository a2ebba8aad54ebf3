import { SQL_TYPES, quoteIdent, quoteLiteral, type ColumnKind, type TableDef } from '@bird/core';

/** A SQL expression for one value of a column kind; timestamps keep their microseconds. */
const LITERAL: Record<ColumnKind, (v: unknown) => string> = {
  text: (v) => quoteLiteral(v as string),
  int32: (v) => `${Math.trunc(v as number)}`,
  int64: (v) => `${BigInt(v as number)}`,
  timestamptz: (v) => `timezone('UTC', make_timestamp(${BigInt(v as bigint)}::BIGINT))`,
  date: (v) => `DATE ${quoteLiteral(v as string)}`,
};

/** `SELECT <typed literal> AS col, …` for one row of `table`, derived from its definition. */
export function rowSelect(table: TableDef, row: Record<string, unknown>): string {
  const cols = table.columns.map((c) => {
    const value = row[c.name];
    const sql = value === null || value === undefined ? 'NULL' : LITERAL[c.kind](value);
    return `CAST(${sql} AS ${SQL_TYPES[c.kind]}) AS ${quoteIdent(c.name)}`;
  });
  return `SELECT ${cols.join(', ')}`;
}
