export { compact, listPartitions, type CompactOptions, type CompactSummary } from './compact/compact.ts';
export { planCompaction, MERGED_PREFIX, type CompactionJob, type CompactionPolicy, type PartitionListing } from './compact/plan-compaction.ts';
export { runCompact, COMPACT_USAGE, type CommandIO } from './compact-command.ts';
export { runSync, parseSince, selectRemotes, PUSH_USAGE, PULL_USAGE } from './sync-command.ts';
export { push, checkPushable, type PushOptions, type PushSummary } from './sync/push.ts';
export { pull, type PullOptions, type PullSummary } from './sync/pull.ts';
export { planPush, planFetch, planHeadReads, planSegmentReads } from './sync/plan-sync.ts';
export { progressBar, type Progress } from './progress.ts';
