// The storage modes (see storage-mode.ts): what every writer of rows calls.
export * from './storage-mode.ts';
export { storageModeOf } from './open-storage-mode.ts';
export { StoreBusy } from './store-busy.ts';
export { listPartitions } from './parquet/compact.ts';
export { planCompaction, MERGED_PREFIX, type CompactionPolicy, type PartitionListing } from './parquet/plan-compaction.ts';
export { MAX_ROWS_PER_BATCH, MAX_TEXT_BYTES_PER_BATCH, MAX_VALUE_BYTES, flatIncomingName } from './incoming-batches.ts';
export { rowGroupsByDay } from './row-groups.ts';
