export { DuckDbRecordWriter, type DuckDbWriterOptions } from './duckdb-record-writer.ts';
export { rowSelect } from './row-literal.ts';
