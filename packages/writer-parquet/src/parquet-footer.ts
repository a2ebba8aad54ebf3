/**
 * What a Parquet file's footer says, read in JS: its row count, its top-level columns and the
 * min/max statistics of a column. A pull reads thousands of small batches' footers: DuckDB
 * opens each file for that at ~0.6 ms a file (bench/first-pull.md), this at a few microseconds.
 * The bytes may be anyone's: a footer that does not decode throws a ParquetFooterError.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ThriftDecodeError, readThriftStructSpans, type ThriftFields, type ThriftStruct, type ThriftValue } from './thrift-compact-reader.ts';

export class ParquetFooterError extends Error {}

export interface ParquetFooter {
  readonly rows: number;
  /** The top-level columns, by name. */
  readonly columns: ReadonlySet<string>;
  /** The schema's bytes, as text: files with the same one have the same columns, of the same types. */
  readonly schemaKey: string;
  /** Per row group, per column chunk: its path and statistics. */
  readonly rowGroups: readonly (readonly ColumnChunkStats[])[];
}

export interface ColumnChunkStats {
  readonly path: readonly string[];
  /** Parquet's physical type (6: BYTE_ARRAY). */
  readonly physicalType: number | undefined;
  /** min_value and max_value, when written and not marked inexact. */
  readonly min?: Uint8Array;
  readonly max?: Uint8Array;
}

const MAGIC = 0x31524150; // "PAR1", little-endian
/** Past this a footer is not a batch's: bird's files have a few kilobytes of footer. */
const MAX_FOOTER_BYTES = 16 * 1024 * 1024;
const BYTE_ARRAY = 6;
/**
 * The fields of parquet.thrift read here: FileMetaData's schema (2: each element's name 4 and
 * num_children 5), num_rows (3) and row groups (4), whose column chunks (1) hold ColumnMetaData
 * (3: type 1, path_in_schema 3, statistics 12 with max_value 5, min_value 6 and whether they are exact, 7 and 8).
 */
const FILE_METADATA: ThriftFields = {
  2: { 4: true, 5: true },
  3: true,
  4: { 1: { 3: { 1: true, 3: true, 12: { 5: true, 6: true, 7: true, 8: true } } } },
};

export function readParquetFooter(file: string): ParquetFooter {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size < 12) throw new ParquetFooterError('is shorter than a Parquet file can be');
    const tail = Buffer.alloc(8);
    readSync(fd, tail, 0, 8, size - 8);
    if (tail.readUInt32LE(4) !== MAGIC) throw new ParquetFooterError('does not end as a Parquet file does');
    const length = tail.readUInt32LE(0);
    if (length > size - 12 || length > MAX_FOOTER_BYTES) throw new ParquetFooterError(`names a footer of ${length} bytes, which the file cannot hold`);
    const footer = Buffer.alloc(length);
    readSync(fd, footer, 0, length, size - 8 - length);
    return parseFooter(footer);
  } finally {
    closeSync(fd);
  }
}

export function parseFooter(bytes: Uint8Array): ParquetFooter {
  let meta: ThriftStruct;
  let spans: Map<number, Uint8Array>;
  try {
    ({ struct: meta, spans } = readThriftStructSpans(bytes, FILE_METADATA));
  } catch (error) {
    if (error instanceof ThriftDecodeError) throw new ParquetFooterError(`has a footer that does not decode (${error.message})`);
    throw error;
  }
  const rows = meta[3];
  const schema = meta[2];
  if (typeof rows !== 'number' || rows < 0 || !Array.isArray(schema) || schema.length === 0) throw new ParquetFooterError('has a footer without its row count or schema');
  return { rows, columns: topLevelColumns(schema), schemaKey: Buffer.from(spans.get(2)!).toString('latin1'), rowGroups: listOf(meta[4]).map((g) => listOf(isStruct(g) ? g[1] : undefined).map(chunkStats)) };
}

/** The inclusive range of a byte-array column's values across the file, or null when a row group's statistics do not give it. */
export function byteArrayRange(footer: ParquetFooter, column: string): { min: Uint8Array; max: Uint8Array } | null {
  let min: Uint8Array | null = null;
  let max: Uint8Array | null = null;
  for (const group of footer.rowGroups) {
    const chunk = group.find((c) => c.path.length === 1 && c.path[0] === column);
    if (!chunk || chunk.physicalType !== BYTE_ARRAY || !chunk.min || !chunk.max) return null;
    if (min === null || Buffer.compare(chunk.min, min) < 0) min = chunk.min;
    if (max === null || Buffer.compare(chunk.max, max) > 0) max = chunk.max;
  }
  return min === null || max === null ? null : { min, max };
}

/** The schema is a depth-first list under a root: its direct children are the columns. */
function topLevelColumns(schema: readonly ThriftValue[]): Set<string> {
  const names = new Set<string>();
  const root = schema[0];
  const count = isStruct(root) && typeof root[5] === 'number' ? root[5] : 0;
  let at = 1;
  for (let i = 0; i < count; i++) {
    const element = schema[at];
    if (!isStruct(element) || !(element[4] instanceof Uint8Array)) throw new ParquetFooterError('has a schema that ends before its columns do');
    names.add(Buffer.from(element[4]).toString('utf8'));
    at = afterSubtree(schema, at);
  }
  return names;
}

/** The index just past element `at` and all its descendants. */
function afterSubtree(schema: readonly ThriftValue[], at: number): number {
  let pending = 1;
  while (pending > 0) {
    const element = schema[at];
    if (!isStruct(element)) throw new ParquetFooterError('has a schema that ends before its columns do');
    pending += (typeof element[5] === 'number' ? element[5] : 0) - 1;
    at++;
  }
  return at;
}

function chunkStats(chunk: ThriftValue): ColumnChunkStats {
  const meta = isStruct(chunk) ? chunk[3] : undefined;
  if (!isStruct(meta)) return { path: [], physicalType: undefined };
  const path = listOf(meta[3]).map((p) => (p instanceof Uint8Array ? Buffer.from(p).toString('utf8') : ''));
  const physicalType = typeof meta[1] === 'number' ? meta[1] : undefined;
  const stats = meta[12];
  if (!isStruct(stats)) return { path, physicalType };
  // Fields 7 and 8 say whether max and min are exact; a truncated value is not a bound to trust.
  const max = stats[5] instanceof Uint8Array && stats[7] !== false ? stats[5] : undefined;
  const min = stats[6] instanceof Uint8Array && stats[8] !== false ? stats[6] : undefined;
  return { path, physicalType, ...(min ? { min } : {}), ...(max ? { max } : {}) };
}

const isStruct = (v: ThriftValue | undefined): v is ThriftStruct => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
const listOf = (v: ThriftValue | undefined): ThriftValue[] => (Array.isArray(v) ? v : []);
