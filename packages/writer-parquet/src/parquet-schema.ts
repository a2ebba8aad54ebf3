import type { ColumnKind, TableDef } from '@bird/core';
import type { ColumnSource, SchemaElement } from 'hyparquet-writer';

const DAY_MS = 86_400_000;
const UTF8 = new TextEncoder();

/** How each logical kind is laid out in Parquet, so any engine reads back the exact SQL type. */
const PARQUET_ELEMENTS = {
  text: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
  int32: { type: 'INT32' },
  int64: { type: 'INT64' },
  timestamptz: { type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' } },
  date: { type: 'INT32', converted_type: 'DATE' },
} as const satisfies Record<ColumnKind, Omit<SchemaElement, 'name'>>;

/** Converts one in-memory value to what the Parquet encoder takes for that kind. */
const TO_PARQUET: Record<ColumnKind, (v: unknown) => unknown> = {
  // Encoded here, once: the encoder would make a TextEncoder and a view for each value it writes.
  text: (v) => UTF8.encode(v as string),
  int32: (v) => v,
  int64: (v) => BigInt(v as number),
  timestamptz: (v) => v as bigint,
  date: (v) => Date.parse(`${v as string}T00:00:00Z`) / DAY_MS,
};

/** The Parquet schema of a table, derived from its definition in core. */
export function parquetSchemaOf(table: TableDef): SchemaElement[] {
  return [
    { name: 'root', num_children: table.columns.length },
    ...table.columns.map((c) => ({
      name: c.name,
      ...PARQUET_ELEMENTS[c.kind],
      repetition_type: c.nullable ? 'OPTIONAL' : 'REQUIRED',
    }) as SchemaElement),
  ];
}

/** Column-major data for `rows`, checking that required columns are present. */
export function columnDataOf(table: TableDef, rows: readonly Record<string, unknown>[]): ColumnSource[] {
  return table.columns.map((c) => {
    const convert = TO_PARQUET[c.kind];
    // A file's rows mostly share their day (and often a session, a host): the last value's
    // conversion is reused rather than parsing the same date once per row.
    let last: unknown;
    let lastConverted: unknown;
    const data = rows.map((row) => {
      const value = row[c.name];
      if (value === null || value === undefined) {
        if (!c.nullable) throw new Error(`${table.name}.${c.name} is required but missing`);
        return null;
      }
      if (value !== last) {
        last = value;
        lastConverted = convert(value);
      }
      return lastConverted;
    });
    return { name: c.name, data, nullable: c.nullable };
  });
}
