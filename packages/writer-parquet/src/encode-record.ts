import type { ColumnDef, ColumnKind, TableDef } from '@bird/core';
import { ThriftCompactWriter } from './thrift-compact.ts';

/**
 * Encodes rows of `table` as a Parquet file with the layout the per-command files need and
 * nothing more: one row group, one PLAIN-encoded, uncompressed data page per column, min/max
 * statistics. This runs in every `bird-capture` process, where hyparquet-writer (dictionaries,
 * compression, page splitting, cold in a fresh process) cost ~2.5 ms of the ~10 ms bird adds to
 * Node's start; this costs ~0.2 ms (bench/capture-start.md). Bulk files (import, fixtures) keep
 * hyparquet-writer's compressed encodings through `encodeParquet`; compaction rewrites both.
 *
 * The column types are the same as `encodeParquet` writes (checked by reading both back with
 * DuckDB, hyparquet and, in CI, pyarrow), so readers never see which encoder wrote a file.
 */
export function encodeRecords(table: TableDef, rows: readonly Record<string, unknown>[]): Uint8Array {
  const chunks: Uint8Array[] = [MAGIC];
  let offset = MAGIC.length;
  const columns: ColumnChunkMeta[] = [];
  for (const column of table.columns) {
    const encoded = encodeColumn(table, column, rows);
    columns.push({ column, dataPageOffset: offset, ...encoded });
    for (const part of encoded.parts) chunks.push(part);
    offset += encoded.totalSize;
  }
  const footer = fileMetadata(table, rows.length, columns);
  const tail = new Uint8Array(8);
  new DataView(tail.buffer).setUint32(0, footer.length, true);
  tail.set(MAGIC, 4);
  chunks.push(footer, tail);
  return Buffer.concat(chunks);
}

const MAGIC = Buffer.from('PAR1', 'latin1');
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

interface Physical {
  readonly type: number;
  /** The value as PLAIN bytes; byte arrays without their length prefix. */
  readonly bytes: (value: unknown) => Uint8Array;
  readonly compare: (a: Uint8Array, b: Uint8Array, va: unknown, vb: unknown) => number;
  readonly schema: (w: ThriftCompactWriter) => void;
}

const int32Bytes = (n: number): Uint8Array => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return b;
};
const int64Bytes = (n: bigint): Uint8Array => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(n);
  return b;
};
const numeric = (_a: Uint8Array, _b: Uint8Array, va: unknown, vb: unknown): number => (va! < vb! ? -1 : va! > vb! ? 1 : 0);

/** How each logical kind is stored: the same physical and logical types as parquet-schema.ts. */
const PHYSICAL: Record<ColumnKind, Physical> = {
  text: {
    type: TYPE.BYTE_ARRAY,
    bytes: (v) => Buffer.from(v as string, 'utf8'),
    compare: (a, b) => Buffer.compare(a, b), // UTF-8 bytes, unsigned: Parquet's order for strings
    schema: (w) => w.i32(6, CONVERTED.UTF8).struct(10, (l) => l.struct(1, () => {})),
  },
  int32: { type: TYPE.INT32, bytes: (v) => int32Bytes(v as number), compare: numeric, schema: () => {} },
  int64: { type: TYPE.INT64, bytes: (v) => int64Bytes(BigInt(v as number)), compare: numeric, schema: () => {} },
  timestamptz: {
    type: TYPE.INT64,
    bytes: (v) => int64Bytes(v as bigint),
    compare: numeric,
    schema: (w) =>
      w.i32(6, CONVERTED.TIMESTAMP_MICROS).struct(10, (l) => l.struct(8, (t) => t.bool(1, true).struct(2, (u) => u.struct(2, () => {})))),
  },
  date: {
    type: TYPE.INT32,
    bytes: (v) => int32Bytes(dayNumber(v as string)),
    compare: numeric, // 'YYYY-MM-DD' strings order as the days do
    schema: (w) => w.i32(6, CONVERTED.DATE).struct(10, (l) => l.struct(6, () => {})),
  },
};

function dayNumber(date: string): number {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new Error(`not a date: ${JSON.stringify(date)}`);
  return ms / DAY_MS;
}

interface EncodedColumn {
  readonly parts: Uint8Array[];
  readonly totalSize: number;
  readonly nullCount: number;
  readonly min?: Uint8Array;
  readonly max?: Uint8Array;
}

interface ColumnChunkMeta extends EncodedColumn {
  readonly column: ColumnDef;
  readonly dataPageOffset: number;
}

function encodeColumn(table: TableDef, column: ColumnDef, rows: readonly Record<string, unknown>[]): EncodedColumn {
  const physical = PHYSICAL[column.kind];
  const values: Uint8Array[] = [];
  const present: boolean[] = [];
  let min: Uint8Array | undefined;
  let max: Uint8Array | undefined;
  let minValue: unknown;
  let maxValue: unknown;
  for (const row of rows) {
    const value = row[column.name];
    if (value === null || value === undefined) {
      if (!column.nullable) throw new Error(`${table.name}.${column.name} is required but missing`);
      present.push(false);
      continue;
    }
    present.push(true);
    const bytes = physical.bytes(value);
    const plain = physical.type === TYPE.BYTE_ARRAY ? [int32Bytes(bytes.length), bytes] : [bytes];
    values.push(...plain);
    if (min === undefined || physical.compare(bytes, min, value, minValue) < 0) [min, minValue] = [bytes, value];
    if (max === undefined || physical.compare(bytes, max, value, maxValue) > 0) [max, maxValue] = [bytes, value];
  }
  const levels = column.nullable ? definitionLevels(present) : [];
  const body = Buffer.concat([...levels, ...values]);
  const header = new ThriftCompactWriter().message((w) =>
    w
      .i32(1, PAGE_DATA)
      .i32(2, body.length)
      .i32(3, body.length)
      .struct(5, (d) => d.i32(1, rows.length).i32(2, ENCODING.PLAIN).i32(3, ENCODING.RLE).i32(4, ENCODING.RLE)),
  ).result();
  const withinBound = (b: Uint8Array | undefined) => b !== undefined && b.length <= MAX_STATISTICS_BYTES;
  const bounded = withinBound(min) && withinBound(max);
  return {
    parts: [header, body],
    totalSize: header.length + body.length,
    nullCount: present.filter((p) => !p).length,
    ...(bounded ? { min, max } : {}),
  };
}

/**
 * Definition levels of an optional column (1 = value present) as Parquet's RLE/bit-packed
 * hybrid with bit width 1, in RLE runs only, behind the 4-byte length data page v1 requires.
 */
function definitionLevels(present: readonly boolean[]): Uint8Array[] {
  const runs: number[] = [];
  for (let i = 0; i < present.length; ) {
    let j = i;
    while (j < present.length && present[j] === present[i]) j++;
    pushVarint(runs, (j - i) << 1);
    runs.push(present[i] ? 1 : 0);
    i = j;
  }
  return [int32Bytes(runs.length), Uint8Array.from(runs)];
}

function pushVarint(out: number[], value: number): void {
  let v = value;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
}

function fileMetadata(table: TableDef, numRows: number, columns: readonly ColumnChunkMeta[]): Uint8Array {
  const totalBytes = columns.reduce((sum, c) => sum + c.totalSize, 0);
  return new ThriftCompactWriter()
    .message((w) =>
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
    )
    .result();
}
