import type { BirdConfig, BirdLayout, StorageMode as StorageModeName } from '@bird/core';
import { duckdbMode } from './duckdb/duckdb-mode.ts';
import { parquetMode } from './parquet/parquet-mode.ts';
import type { StorageMode } from './storage-mode.ts';

const MODES: Record<StorageModeName, (layout: BirdLayout, config: BirdConfig) => StorageMode> = { parquet: parquetMode, duckdb: duckdbMode };

/**
 * The store's mode, as its config.toml names it: what every writer of rows calls.
 *
 * @example await storageModeOf(layout, config).compact({ onWarning: console.warn })
 */
export function storageModeOf(layout: BirdLayout, config: BirdConfig): StorageMode {
  return MODES[config.storage.mode](layout, config);
}
