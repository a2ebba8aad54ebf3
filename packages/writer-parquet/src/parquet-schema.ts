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
  // As UTF-8 by columnDataOf (utf8Into), not here: the encoder would make a TextEncoder and a
  // view for each value it writes.
  text: (v) => v,
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
    const convert = c.kind !== 'text' ? TO_PARQUET[c.kind] : fewDistinct(rows, c.name) ? asText(c.name) : utf8Into(rows, c.name);
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

/**
 * A text column whose values are few (a file's session, host, shell, program) goes to the
 * encoder as strings: it makes a dictionary of them, encoding only the distinct ones as UTF-8,
 * and a value that is the same string as the last compares at once for statistics (bytes are
 * compared byte by byte, and hashed for a dictionary, at every row). Past an eighth of the
 * rows distinct, a dictionary is unlikely and the bytes (utf8Into) serve better.
 */
function fewDistinct(rows: readonly Record<string, unknown>[], name: string): boolean {
  const most = Math.max(1, rows.length >> 3);
  const seen = new Set<unknown>();
  for (const row of rows) {
    const value = row[name];
    if (value === null || value === undefined || seen.has(value)) continue;
    seen.add(value);
    if (seen.size > most) return false;
  }
  return true;
}

function asText(name: string): (v: unknown) => string {
  return (v) => {
    if (typeof v !== 'string') throw new Error(`${name} is text but got a ${typeof v}`);
    return v;
  };
}

/**
 * Encodes a column's texts as UTF-8, all into one buffer, each value a view of its bytes: a
 * backing store for each value cost more than the encoding itself.
 */
function utf8Into(rows: readonly Record<string, unknown>[], name: string): (v: unknown) => Uint8Array {
  // A UTF-16 code unit takes at most 3 bytes of UTF-8 (a surrogate pair, 2 units, takes 4).
  let bound = 0;
  for (const row of rows) {
    const value = row[name];
    if (typeof value === 'string') bound += value.length * 3;
  }
  const buffer = new Uint8Array(bound);
  let at = 0;
  return (v) => {
    if (typeof v !== 'string') throw new Error(`${name} is text but got a ${typeof v}`);
    const { written } = UTF8.encodeInto(v, buffer.subarray(at));
    const bytes = buffer.subarray(at, at + written);
    at += written;
    return bytes;
  };
}
