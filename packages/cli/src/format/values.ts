// How one query value reads in each output format.

const NUMERIC_TYPE = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL(\(.*\))?|NUMERIC(\(.*\))?|INT\d*)$/i;

/** Whether a column holds numbers (right-aligned in tables). */
export function isNumericType(type: string): boolean {
  return NUMERIC_TYPE.test(type.trim());
}

const ISO_TIMESTAMP = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d(?::?\d\d)?)?$/;

const two = (n: number) => String(n).padStart(2, '0');

/**
 * `2025-03-01T12:34:56.789012Z` → `2025-03-01 13:34:56.789012` in the local time zone (`TZ`),
 * keeping every fractional digit unless all are zero. A value without an offset is shown as it is, minus the `T`.
 * Anything else (`infinity`, odd input) is returned unchanged.
 */
export function readableTimestamp(value: string, options: { fraction?: boolean } = {}): string {
  const m = ISO_TIMESTAMP.exec(value);
  if (!m) return value;
  const [, y, mo, d, h, mi, s, frac = '', offset] = m;
  // A fraction of only zeros says nothing; drop it so whole seconds read cleanly.
  const fraction = options.fraction === false || /^\.0*$/.test(frac) ? '' : frac;
  if (offset === undefined) return `${y}-${mo}-${d} ${h}:${mi}:${s}${fraction}`;
  let offsetMinutes = 0;
  if (offset !== 'Z') {
    const sign = offset.startsWith('-') ? -1 : 1;
    const digits = offset.slice(1).replace(':', '');
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
  }
  const utcMs = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) - offsetMinutes * 60_000;
  const local = new Date(utcMs);
  if (Number.isNaN(local.getTime())) return value;
  // Date.UTC maps years 0–99 to 1900–1999; such timestamps are not worth a special case.
  const date = `${String(local.getFullYear()).padStart(4, '0')}-${two(local.getMonth() + 1)}-${two(local.getDate())}`;
  const time = `${two(local.getHours())}:${two(local.getMinutes())}:${two(local.getSeconds())}`;
  return `${date} ${time}${fraction}`;
}

const isTimestampWithZone = (type: string) => /^TIMESTAMP(_TZ| WITH TIME ZONE)$/i.test(type.trim());
const isTimestamp = (type: string) => /^TIMESTAMP/i.test(type.trim());

/** JSON.stringify that writes bigints as numbers when they are exact, else as strings. */
export function toJson(value: unknown, space?: number): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? jsonBigint(v) : v), space);
}

function jsonBigint(v: bigint): number | string {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

/** A value as plain text (CSV and the table), or null for SQL NULL. */
export function plainText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  return toJson(value);
}

/** The text a table shows for a value of a column of `type`; NULL reads as `NULL`. */
export function tableText(value: unknown, type: string): string {
  const text = plainText(value);
  if (text === null) return 'NULL';
  if (typeof value === 'string' && isTimestamp(type)) {
    return isTimestampWithZone(type) ? readableTimestamp(text) : readableTimestamp(text.replace(/(Z|[+-]\d\d(:?\d\d)?)$/, ''));
  }
  return text;
}
