import type { TableDef } from '@bird/core';
import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import { columnDataOf, parquetSchemaOf } from './parquet-schema.ts';

/** Encodes rows of `table` as one Parquet file in memory. */
export function encodeParquet(table: TableDef, rows: readonly Record<string, unknown>[]): Uint8Array {
  const writer = new ByteWriter();
  parquetWrite({
    writer,
    columnData: columnDataOf(table, rows),
    schema: parquetSchemaOf(table),
    // Whole values in min/max statistics: a truncated `cmd` bound would be useless for pruning.
    statisticsTruncateLength: 64,
    createdBy: 'bird',
  });
  return new Uint8Array(writer.getBuffer());
}
