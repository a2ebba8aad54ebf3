/** DuckDB values → JSON-friendly JS, the shape `QueryResult.rows` promises. */
import {
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBDecimalValue,
  DuckDBTypeId,
  JsonDuckDBValueConverter,
  type DuckDBValueConverter,
  type Json,
} from '@duckdb/node-api';

/** Epoch microseconds → `2024-01-02T03:04:05.123456Z` (µs kept; a JS Date would drop them). */
export function isoFromMicros(micros: bigint, zone: 'Z' | '' = 'Z'): string {
  const ms = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const subMicros = micros - ms * 1000n;
  const base = new Date(Number(ms)).toISOString(); // …T03:04:05.123Z
  const frac = `${base.slice(20, 23)}${subMicros.toString().padStart(3, '0')}`;
  return `${base.slice(0, 19)}.${frac}${zone}`;
}

/** `infinity` and dates beyond a JS Date's range keep DuckDB's own text. */
function isoOrText(micros: bigint, zone: 'Z' | '', value: { toString(): string }): string {
  const ms = Number(micros / 1000n);
  return Math.abs(ms) <= 8.64e15 ? isoFromMicros(micros, zone) : value.toString();
}

const safeNumber = (v: bigint): number | string =>
  v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();

/** Integers as numbers when they fit a double exactly, else strings; timestamps as ISO strings. */
export const birdValueConverter: DuckDBValueConverter<Json> = (value, type, converter) => {
  if (value === null) return null;
  if (typeof value === 'bigint') return safeNumber(value);
  switch (type.typeId) {
    case DuckDBTypeId.TIMESTAMP_TZ:
      if (value instanceof DuckDBTimestampTZValue) return isoOrText(value.micros, 'Z', value);
      break;
    case DuckDBTypeId.TIMESTAMP:
      if (value instanceof DuckDBTimestampValue) return isoOrText(value.micros, '', value);
      break;
    case DuckDBTypeId.DECIMAL:
      if (value instanceof DuckDBDecimalValue) return value.toDouble();
      break;
    default:
      break;
  }
  return JsonDuckDBValueConverter(value, type, converter);
};
