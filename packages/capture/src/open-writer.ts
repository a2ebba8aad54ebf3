import type { BirdConfig, BirdLayout, RecordWriter } from '@bird/core';
import { ParquetRecordWriter } from '@bird/writer-parquet';

/**
 * The writer for the store's mode. DuckDB is imported only in duckdb mode, so parquet-mode
 * capture never loads it.
 */
export async function openWriter(layout: BirdLayout, config: BirdConfig): Promise<RecordWriter> {
  switch (config.storage.mode) {
    case 'parquet':
      return new ParquetRecordWriter(layout);
    case 'duckdb': {
      const { DuckDbRecordWriter } = await import('@bird/writer-duckdb');
      return DuckDbRecordWriter.open(layout);
    }
  }
}
