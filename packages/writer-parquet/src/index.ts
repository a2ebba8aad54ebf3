export { encodeParquet } from './encode.ts';
export { parquetSchemaOf, columnDataOf } from './parquet-schema.ts';
export { ParquetRecordWriter } from './parquet-record-writer.ts';
export { encodeRecords } from './encode-record.ts';
export { readParquetFooter, parseFooter, byteArrayRange, ParquetFooterError, type ParquetFooter } from './parquet-footer.ts';
