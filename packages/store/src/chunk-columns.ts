// A DuckDB result chunk's columns copied into typed arrays as the bytes DuckDB holds them, with
// no JS value made per row: @duckdb/node-api turns each value into a JS value first, which was
// 3.5 s of a 12 s history-index build at 1M rows (bench/team-scale.md).
import duckdb from '@duckdb/node-bindings';
import type { DuckDBDataChunk } from '@duckdb/node-api';

/** The DuckDB types read here, and the bytes a value of each takes in a chunk (a UUID as DuckDB's 128-bit integer). */
export const FIXED_WIDTH = {
  DOUBLE: { type: duckdb.Type.DOUBLE, bytes: 8 },
  INTEGER: { type: duckdb.Type.INTEGER, bytes: 4 },
  UINTEGER: { type: duckdb.Type.UINTEGER, bytes: 4 },
  UUID: { type: duckdb.Type.UUID, bytes: 16 },
} as const;
export type FixedWidthType = keyof typeof FIXED_WIDTH;

/** The chunk's vector of `column`, refused unless it is of `type` (what the bytes copied are read as). */
function vectorOf(chunk: DuckDBDataChunk, column: number, type: FixedWidthType): duckdb.Vector {
  const vector = duckdb.data_chunk_get_vector(chunk.chunk, column);
  const found = duckdb.get_type_id(duckdb.vector_get_column_type(vector));
  if (found !== FIXED_WIDTH[type].type) throw new Error(`column ${column} of the result is of DuckDB type ${duckdb.Type[found] ?? found}, not ${type}`);
  return vector;
}

/**
 * Rows of `column` that are NULL, in the chunk's order. A chunk's vectors are flat (the C API
 * flattens results), so bit r of the validity mask is row r's.
 */
export function nullRows(chunk: DuckDBDataChunk, column: number): number[] {
  const rows = chunk.rowCount;
  const mask = duckdb.vector_get_validity(duckdb.data_chunk_get_vector(chunk.chunk, column), Math.ceil(rows / 64) * 8);
  const nulls: number[] = [];
  // No mask: DuckDB made none, as no value is NULL.
  if (!mask) return nulls;
  for (let r = 0; r < rows; r++) if ((mask[r >> 3]! & (1 << (r & 7))) === 0) nulls.push(r);
  return nulls;
}

/**
 * The chunk's `column`, of `type`, copied byte for byte into `into` from row `row` on (`into`'s
 * rows being `type`'s width). A NULL's bytes are whatever DuckDB left there: callers either
 * coalesce in SQL or overwrite the rows nullRows names.
 */
export function copyColumn(chunk: DuckDBDataChunk, column: number, type: FixedWidthType, into: Float64Array | Int32Array | Uint32Array | Uint8Array, row: number): void {
  const width = FIXED_WIDTH[type].bytes;
  const bytes = chunk.rowCount * width;
  const target = new Uint8Array(into.buffer, into.byteOffset + row * width, bytes);
  target.set(duckdb.vector_get_data(vectorOf(chunk, column, type), bytes));
}
