export * from './history-index.ts';
export * from './build-index.ts';
export * from './snapshot-format.ts';
export * from './index-files.ts';
export * from './journal.ts';
export * from './load-history.ts';
export * from './stale-marker.ts';
export * from './seed-index.ts';
