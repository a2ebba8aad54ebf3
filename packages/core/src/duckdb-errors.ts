/**
 * What a DuckDB error is about. DuckDB's errors carry no code, only a message ("IO Error: …"),
 * so every message BIRD acts on is read here and nowhere else, and test/duckdb-errors.test.ts
 * provokes each kind from real DuckDB: an upgrade that rewords a message fails that test
 * instead of quietly changing what bird does. In core (it imports no DuckDB) so the store and
 * the duckdb writer read messages alike.
 */
import { BirdError, describeError } from './errors.ts';

export type DuckDBFailure = {
  /**
   * The first `.parquet` path the message quotes (the file a reader failed on), whatever the
   * kind: a conversion error names one when it happened while reading that file.
   */
  readonly file: string | null;
} & (
  /** Another process holds the database file (`Could not set lock`): worth waiting for. */
  | { readonly kind: 'locked' }
  /** A database file, or its WAL, that DuckDB cannot make sense of: random bytes, cut short, a bad checksum. */
  | { readonly kind: 'damaged-catalog' }
  /** A `read_parquet` glob that matched no file (a deleted placeholder). */
  | { readonly kind: 'missing-file'; readonly pattern: string }
  /** A schema or database the query names that does not exist, lower-cased as DuckDB compares names. */
  | { readonly kind: 'missing-schema'; readonly schema: string }
  /** A value that does not convert to its column's type, in a reader or in a view's CAST. */
  | { readonly kind: 'conversion' }
  /** Any other error about a file the message names (truncated, not Parquet at all). */
  | { readonly kind: 'bad-file'; readonly file: string }
  | { readonly kind: 'other' }
);

export type DuckDBFailureKind = DuckDBFailure['kind'];

const LOCKED = /Could not set lock|Conflicting lock/i;
const DAMAGED_CATALOG = /not a valid DuckDB database file|Could not read enough bytes from file|Corrupt database file|checksum|replaying WAL/i;
const CONVERSION = /Conversion Error|failed to cast|Could not convert/i;
const NO_FILES = /No files found that match the pattern "([^"]+)"/;
// `… because schema "remote_backup" does not exist`, `Catalog "remote_backup" does not exist!`
// (a three-part name), `No catalog + schema named "remote_backup" found` (USE).
const MISSING_SCHEMA = /because schema "([^"]+)" does not exist|Catalog "([^"]+)" does not exist|No catalog \+ schema named "\.?([^"]+)" found/;
const PARQUET_FILE = /['"]([^'"\n]+\.parquet)['"]/;
// Quoted text is a path, a value or a name of the user's: `checksum` in a root's path, or a
// value 'Could not convert', is not DuckDB saying so. An apostrophe inside a word (`Can't`) opens no quote.
const QUOTED = /"[^"\n]*"|(?<![A-Za-z])'[^'\n]*'/g;

/**
 * `error` (a DuckDB error, or its message) as a kind BIRD acts on. Kinds are read from
 * DuckDB's own words on the message's first line (the rest is an excerpt of the query, or
 * hints), never from quoted paths and values. A BirdError is bird's own sentence (a catalog
 * still locked after the wait names its path unquoted), so it is `other`.
 *
 * @example
 * classifyDuckDBError(new Error('IO Error: No files found that match the pattern "/r/db/data/local/events/*\/*.parquet"'))
 * // → { kind: 'missing-file', pattern: '/r/db/data/local/events/*\/*.parquet', file: null }
 */
export function classifyDuckDBError(error: unknown): DuckDBFailure {
  if (error instanceof BirdError) return { kind: 'other', file: null };
  const message = describeError(error);
  const line = message.split('\n')[0]!;
  const words = line.replace(QUOTED, '""');
  const noFiles = NO_FILES.exec(line);
  // The pattern of a glob that matched nothing is no file to look at.
  if (noFiles) return { kind: 'missing-file', pattern: noFiles[1]!, file: null };
  const file = PARQUET_FILE.exec(message)?.[1] ?? null;
  if (LOCKED.test(words)) return { kind: 'locked', file };
  if (DAMAGED_CATALOG.test(words)) return { kind: 'damaged-catalog', file };
  if (CONVERSION.test(words)) return { kind: 'conversion', file };
  const schema = MISSING_SCHEMA.exec(line);
  if (schema) return { kind: 'missing-schema', schema: (schema[1] ?? schema[2] ?? schema[3]!).toLowerCase(), file };
  return file === null ? { kind: 'other', file } : { kind: 'bad-file', file };
}
