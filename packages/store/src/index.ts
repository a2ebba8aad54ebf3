export * from './api.ts';
export { openStore } from './store.ts';
export * from './modes/index.ts';
export { initStore, registerCachedRemote, runMigration, readCatalogState, type InitOptions, type MigrationResult, type CatalogState } from './init-store.ts';
export { SCHEMA_VERSION } from './catalog-ddl.ts';
export { whyBad } from './bad-files.ts';
export { RemoteAttachError, RemoteNotAttachedError, StoreBusyError, StoreModeError, SqlError, UnknownRemoteError } from './errors.ts';
export { DEFAULT_LOCK_TIMEOUT_MS, openCatalog, type LockOptions, type OpenCatalog } from './catalog-lock.ts';
export {
  PLACEHOLDER_FILE,
  PLACEHOLDER_PARTITION,
  isPlaceholderFile,
  cachedRemoteDir,
  cachedPartitionDir,
  cachedSchema,
  remoteSchema,
  checkRemoteName,
  quarantineDir,
} from './layout.ts';
export { databaseCopy, isDatabaseRemote, type DatabaseCopy } from './remote/database-copy.ts';
export { databaseColumns, databaseTables } from './remotes.ts';
export { LISTING_MAX_AGE_MS, expireMirrorListing } from './remote/mirror.ts';
export { liveBlobBytes, type SeriesBlob } from './remote/live-blobs.ts';
export { FOLD_JOURNAL_BYTES, foldOrRebuildHistoryIndex, indexNeedsFold, rebuildHistoryIndex, refreshHistoryIndex } from './history-index-rebuild.ts';
export { historyRowOfValues, historyRowsSql, type RowSource } from './history-index-read.ts';
export { interruptedPublishes } from './interrupted-publish.ts';
export { sweepBlobs, sweepBlobsOfStore, unreferencedBlobs } from './sweep-blobs.ts';
export { projectCacheAbandoned, sweepProjectCaches } from './sweep-project-caches.ts';
