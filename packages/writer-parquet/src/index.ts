export { encodeParquet } from './encode.ts';
export { parquetSchemaOf, columnDataOf } from './parquet-schema.ts';
export { ParquetRecordWriter, sessionFileKey } from './parquet-record-writer.ts';
