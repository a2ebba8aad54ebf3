import { readdirSync } from 'node:fs';
import { localPartitionDir, type BirdConfig, type BirdLayout } from '@bird/core';

/** A day of this machine's commands holds `[compaction] min_files` files or more (a listing; no DuckDB). */
export function parquetCompactionDue(layout: BirdLayout, config: BirdConfig, date: string): boolean {
  try {
    return readdirSync(localPartitionDir(layout, 'invocations', date)).length >= config.compaction.min_files;
  } catch {
    return false; // no such day yet: nothing to merge
  }
}
