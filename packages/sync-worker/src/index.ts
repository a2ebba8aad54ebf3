export { compact, listPartitions, type CompactOptions, type CompactSummary } from './compact/compact.ts';
export { planCompaction, MERGED_PREFIX, type CompactionJob, type CompactionPolicy, type PartitionListing } from './compact/plan-compaction.ts';
export { runCompact, COMPACT_USAGE, type CommandIO } from './compact-command.ts';
