export * from './history-entry.ts';
export * from './zsh-history.ts';
export * from './bash-history.ts';
export * from './fish-history.ts';
export * from './atuin-history.ts';
export * from './sqlite-wal.ts';
export * from './plan-import.ts';
export * from './run-import.ts';
