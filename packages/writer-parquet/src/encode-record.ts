import type { ColumnDef, ColumnKind, TableDef } from '@bird/core';
import { ThriftCompactWriter } from './thrift-compact.ts';

/**
 * Encodes rows of `table` as a Parquet file with the layout the per-command files need and
 * nothing more: one row group, one PLAIN-encoded, uncompressed data page per column, min/max
 * statistics. This runs in every `bird-capture` process, where hyparquet-writer (dictionaries,
 * compression, page splitting, cold in a fresh process) cost ~2.5 ms of the ~10 ms bird adds to
 * Node's start; this costs ~0.55 ms, nearly all of it cold code's first run, and writes the whole
 * file into one buffer (bench/capture-start.md). Bulk files (import, fixtures) keep
 * hyparquet-writer's compressed encodings through `encodeParquet`; compaction rewrites both.
 *
 * The column types are the same as `encodeParquet` writes (checked by reading both back with
 * DuckDB, hyparquet and, in CI, pyarrow), so readers never see which encoder wrote a file.
 */
export function encodeRecords(table: TableDef, rows: readonly Record<string, unknown>[]): Uint8Array {
  const file = new ThriftCompactWriter(4096).raw(MAGIC);
  const columns: ColumnChunkMeta[] = [];
  for (const column of table.columns) columns.push(writeColumnChunk(file, table, column, rows));
  const footerStart = file.size;
  writeFileMetadata(file, table, rows.length, columns);
  return file.int32LE(file.size - footerStart).raw(MAGIC).result();
}

const MAGIC = Uint8Array.of(0x50, 0x41, 0x52, 0x31); // "PAR1"
// Longer text bounds are left out rather than truncated: a cut-down max bound must be bumped to
// stay an upper bound, and pruning on long commands is worth nothing.
const MAX_STATISTICS_BYTES = 64;
const DAY_MS = 86_400_000;

// Parquet's enum values (parquet.thrift).
const TYPE = { INT32: 1, INT64: 2, BYTE_ARRAY: 6 } as const;
const REPETITION = { REQUIRED: 0, OPTIONAL: 1 } as const;
const CONVERTED = { UTF8: 0, DATE: 6, TIMESTAMP_MICROS: 10 } as const;
const ENCODING = { PLAIN: 0, RLE: 3 } as const;
const CODEC_UNCOMPRESSED = 0;
const PAGE_DATA = 0;

/** A value as a PLAIN page stores it: UTF-8 bytes (BYTE_ARRAY), an int32 or an int64. */
type Plain = Uint8Array | number | bigint;

interface Physical {
  readonly type: (typeof TYPE)[keyof typeof TYPE];
  readonly plain: (value: unknown) => Plain;
  readonly schema: (w: ThriftCompactWriter) => void;
}

/** How each logical kind is stored: the same physical and logical types as parquet-schema.ts. */
const PHYSICAL: Record<ColumnKind, Physical> = {
  text: {
    type: TYPE.BYTE_ARRAY,
    plain: (v) => Buffer.from(v as string, 'utf8'),
    schema: (w) => w.i32(6, CONVERTED.UTF8).struct(10, (l) => l.struct(1, () => {})),
  },
  int32: { type: TYPE.INT32, plain: (v) => v as number, schema: () => {} },
  int64: { type: TYPE.INT64, plain: (v) => BigInt(v as number), schema: () => {} },
  timestamptz: {
    type: TYPE.INT64,
    plain: (v) => v as bigint,
    schema: (w) =>
      w.i32(6, CONVERTED.TIMESTAMP_MICROS).struct(10, (l) => l.struct(8, (t) => t.bool(1, true).struct(2, (u) => u.struct(2, () => {})))),
  },
  date: {
    type: TYPE.INT32,
    plain: (v) => dayNumber(v as string),
    schema: (w) => w.i32(6, CONVERTED.DATE).struct(10, (l) => l.struct(6, () => {})),
  },
};

function dayNumber(date: string): number {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new Error(`not a date: ${JSON.stringify(date)}`);
  return ms / DAY_MS;
}

/** Parquet's order for statistics: numbers by value, strings by their UTF-8 bytes, unsigned. */
function comparePlain(a: Plain, b: Plain): number {
  if (a instanceof Uint8Array) {
    const other = b as Uint8Array;
    const n = Math.min(a.length, other.length);
    for (let i = 0; i < n; i++) if (a[i] !== other[i]) return a[i]! - other[i]!;
    return a.length - other.length;
  }
  const other = b as number | bigint;
  return a < other ? -1 : a > other ? 1 : 0;
}

function plainSize(type: Physical['type'], value: Plain): number {
  return type === TYPE.BYTE_ARRAY ? 4 + (value as Uint8Array).length : type === TYPE.INT32 ? 4 : 8;
}

function writePlain(w: ThriftCompactWriter, type: Physical['type'], value: Plain): void {
  if (type === TYPE.BYTE_ARRAY) w.int32LE((value as Uint8Array).length).raw(value as Uint8Array);
  else if (type === TYPE.INT32) w.int32LE(value as number);
  else w.int64LE(value as bigint);
}

/** A statistics bound: the PLAIN bytes of the value, without a byte array's length prefix. */
function boundBytes(type: Physical['type'], value: Plain): Uint8Array {
  if (type === TYPE.BYTE_ARRAY) return value as Uint8Array;
  const w = new ThriftCompactWriter(8);
  writePlain(w, type, value);
  return w.result();
}

interface ColumnChunkMeta {
  readonly column: ColumnDef;
  readonly dataPageOffset: number;
  readonly totalSize: number;
  readonly nullCount: number;
  readonly min?: Uint8Array;
  readonly max?: Uint8Array;
}

/** Writes one column's data page (header, definition levels, values) at the end of `file`. */
function writeColumnChunk(file: ThriftCompactWriter, table: TableDef, column: ColumnDef, rows: readonly Record<string, unknown>[]): ColumnChunkMeta {
  const physical = PHYSICAL[column.kind];
  const values: Plain[] = [];
  const present: boolean[] = [];
  let valuesSize = 0;
  let min: Plain | undefined;
  let max: Plain | undefined;
  for (const row of rows) {
    const value = row[column.name];
    if (value === null || value === undefined) {
      if (!column.nullable) throw new Error(`${table.name}.${column.name} is required but missing`);
      present.push(false);
      continue;
    }
    present.push(true);
    const plain = physical.plain(value);
    values.push(plain);
    valuesSize += plainSize(physical.type, plain);
    if (min === undefined || comparePlain(plain, min) < 0) min = plain;
    if (max === undefined || comparePlain(plain, max) > 0) max = plain;
  }
  const levels = column.nullable ? definitionLevels(present) : null;
  const bodySize = (levels ? 4 + levels.length : 0) + valuesSize;
  const dataPageOffset = file.size;
  file.message((w) =>
    w
      .i32(1, PAGE_DATA)
      .i32(2, bodySize)
      .i32(3, bodySize)
      .struct(5, (d) => d.i32(1, rows.length).i32(2, ENCODING.PLAIN).i32(3, ENCODING.RLE).i32(4, ENCODING.RLE)),
  );
  if (levels) file.int32LE(levels.length).raw(levels);
  for (const value of values) writePlain(file, physical.type, value);
  const bounds = min !== undefined && max !== undefined ? { min: boundBytes(physical.type, min), max: boundBytes(physical.type, max) } : undefined;
  const withinBound = bounds !== undefined && bounds.min.length <= MAX_STATISTICS_BYTES && bounds.max.length <= MAX_STATISTICS_BYTES;
  return {
    column,
    dataPageOffset,
    totalSize: file.size - dataPageOffset,
    nullCount: rows.length - values.length,
    ...(withinBound ? bounds : {}),
  };
}

/**
 * Definition levels of an optional column (1 = value present) as Parquet's RLE/bit-packed
 * hybrid with bit width 1, in RLE runs only; data page v1 puts their byte length before them.
 */
function definitionLevels(present: readonly boolean[]): Uint8Array {
  const runs: number[] = [];
  for (let i = 0; i < present.length; ) {
    let j = i;
    while (j < present.length && present[j] === present[i]) j++;
    pushVarint(runs, (j - i) << 1);
    runs.push(present[i] ? 1 : 0);
    i = j;
  }
  return Uint8Array.from(runs);
}

function pushVarint(out: number[], value: number): void {
  let v = value;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
}

function writeFileMetadata(file: ThriftCompactWriter, table: TableDef, numRows: number, columns: readonly ColumnChunkMeta[]): void {
  const totalBytes = columns.reduce((sum, c) => sum + c.totalSize, 0);
  file.message((w) =>
    w
      .i32(1, 1)
      .listOfStructs(2, [null, ...table.columns], (s, column) => {
        if (column === null) s.string(4, 'root').i32(5, table.columns.length);
        else {
          const physical = PHYSICAL[column.kind];
          s.i32(1, physical.type)
            .i32(3, column.nullable ? REPETITION.OPTIONAL : REPETITION.REQUIRED)
            .string(4, column.name);
          physical.schema(s);
        }
      })
      .i64(3, numRows)
      .listOfStructs(4, [columns], (g, chunks) =>
        g
          .listOfStructs(1, chunks, (c, chunk) =>
            c.i64(2, chunk.dataPageOffset).struct(3, (m) => {
              m.i32(1, PHYSICAL[chunk.column.kind].type)
                .listOfI32(2, chunk.column.nullable ? [ENCODING.PLAIN, ENCODING.RLE] : [ENCODING.PLAIN])
                .listOfStrings(3, [chunk.column.name])
                .i32(4, CODEC_UNCOMPRESSED)
                .i64(5, numRows)
                .i64(6, chunk.totalSize)
                .i64(7, chunk.totalSize)
                .i64(9, chunk.dataPageOffset)
                .struct(12, (st) => {
                  st.i64(3, chunk.nullCount);
                  if (chunk.max && chunk.min) st.binary(5, chunk.max).binary(6, chunk.min);
                });
            }),
          )
          .i64(2, totalBytes)
          .i64(3, numRows),
      )
      .string(6, 'bird'),
  );
}
