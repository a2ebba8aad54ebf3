import { ROW_KEY, type TableDef } from '@bird/core';
import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import { columnDataOf, parquetSchemaOf } from './parquet-schema.ts';

/** Encodes rows of `table` as one Parquet file in memory. */
export function encodeParquet(table: TableDef, rows: readonly Record<string, unknown>[]): Uint8Array {
  const writer = new ByteWriter();
  // A row key is unique in its file: a dictionary of it never pays, and looking for one costs
  // a sample of hashes per file (an import writes a file per day).
  const key = ROW_KEY[table.name];
  parquetWrite({
    writer,
    columnData: columnDataOf(table, rows).map((column) => (column.name === key ? { ...column, encoding: 'PLAIN' as const } : column)),
    schema: parquetSchemaOf(table),
    // Whole values in min/max statistics: a truncated `cmd` bound would be useless for pruning.
    statisticsTruncateLength: 64,
    createdBy: 'bird',
  });
  return new Uint8Array(writer.getBuffer());
}
