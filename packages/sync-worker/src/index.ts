export { runCompact, type CommandIO } from './compact-command.ts';
export { runSync, parseSince, selectRemotes } from './sync-command.ts';
export { push, checkPushable, type PushOptions, type PushSummary } from './sync/push.ts';
export { pull, type PullOptions, type PullSummary } from './sync/pull.ts';
export { pendingKeys, planFetch, planHeadReads } from './sync/plan-sync.ts';
export { planSeriesPush } from './sync/plan-push.ts';
export { planIndexRepair } from './sync/plan-repair.ts';
export { progressBar, type Progress } from './progress.ts';
export { repairRemote, type RepairOptions, type RepairSummary, type SeriesRepair } from './sync/repair.ts';
export { checkLakeIndex, type LakeHealth } from './sync/lake-health.ts';
export { ownSeries } from './sync/pull.ts';
export { syncPaths } from './sync/sync-state.ts';
export { syncedTables } from './sync/sync-tables.ts';
export { isPushable } from './sync/push.ts';
export {
  countRowsNotPulled,
  countUnpushedRows,
  localSyncStatus,
  planPullBacklog,
  readPullStatus,
  type LocalSyncStatus,
  type PullBacklogPlan,
  type RowsNotPulled,
  type SeriesBehind,
  type SeriesStatus,
} from './sync/sync-status.ts';
