// The alternative encoder the benchmark compares against: apache-arrow builds the columns,
// parquet-wasm (arrow-rs compiled to wasm) writes the Parquet file. Not part of the product.
import { DateDay, Field, Int32, Int64, makeData, RecordBatch, Schema, Struct, Table, TimeUnit, Timestamp, Utf8, tableToIPC, type DataType } from 'apache-arrow';
import { Table as WasmTable, writeParquet } from 'parquet-wasm/node';
import type { ColumnKind, TableDef } from '@bird/core';

const DAY_MS = 86_400_000;

const ARROW_TYPES: Record<ColumnKind, () => DataType> = {
  text: () => new Utf8(),
  int32: () => new Int32(),
  int64: () => new Int64(),
  timestamptz: () => new Timestamp(TimeUnit.MICROSECOND, 'UTC'),
  date: () => new DateDay(),
};

/** One column's buffers, built directly so microsecond timestamps are never rounded through a JS Date. */
function columnData(kind: ColumnKind, type: DataType, values: unknown[]) {
  const length = values.length;
  const nullBitmap = new Uint8Array(Math.ceil(length / 8));
  let nullCount = 0;
  values.forEach((v, i) => {
    if (v === null || v === undefined) nullCount++;
    else nullBitmap[i >> 3]! |= 1 << (i & 7);
  });
  const common = { type, length, nullCount, nullBitmap: nullCount > 0 ? nullBitmap : undefined };
  switch (kind) {
    case 'text': {
      const bytes = values.map((v) => Buffer.from((v as string | null) ?? ''));
      const valueOffsets = new Int32Array(length + 1);
      bytes.forEach((b, i) => (valueOffsets[i + 1] = valueOffsets[i]! + b.length));
      return makeData({ ...common, type: type as Utf8, valueOffsets, data: Buffer.concat(bytes) });
    }
    case 'int32':
      return makeData({ ...common, type: type as Int32, data: Int32Array.from(values, (v) => (v as number | null) ?? 0) });
    case 'int64':
      return makeData({ ...common, type: type as Int64, data: BigInt64Array.from(values, (v) => BigInt((v as number | null) ?? 0)) });
    case 'timestamptz':
      return makeData({ ...common, type: type as Timestamp, data: BigInt64Array.from(values, (v) => (v as bigint | null) ?? 0n) });
    case 'date':
      return makeData({
        ...common,
        type: type as DateDay,
        data: Int32Array.from(values, (v) => (v === null ? 0 : Date.parse(`${v as string}T00:00:00Z`) / DAY_MS)),
      });
  }
}

/** Encodes rows of `table` as one Parquet file, with the same column types as the product's writer. */
export function encodeParquetWithArrow(table: TableDef, rows: readonly Record<string, unknown>[]): Uint8Array {
  const fields = table.columns.map((c) => new Field(c.name, ARROW_TYPES[c.kind](), c.nullable));
  const children = table.columns.map((c, i) => {
    const values = rows.map((r) => r[c.name] ?? null);
    if (!c.nullable && values.includes(null)) throw new Error(`${table.name}.${c.name} is required but missing`);
    return columnData(c.kind, fields[i]!.type, values);
  });
  const schema = new Schema(fields);
  const batch = new RecordBatch(schema, makeData({ type: new Struct(fields), length: rows.length, nullCount: 0, children }));
  const ipc = tableToIPC(new Table(schema, [batch]), 'stream');
  return writeParquet(WasmTable.fromIPCStream(ipc));
}
