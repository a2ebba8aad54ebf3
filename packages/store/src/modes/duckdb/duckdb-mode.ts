import type { BirdConfig, BirdLayout } from '@bird/core';
import { ingestFilesWith } from '../ingest-files.ts';
import type { StorageMode } from '../storage-mode.ts';
import { appendDuckdb } from './append.ts';
import { compactDuckdb } from './compact.ts';
import { ingestFilesDuckdb } from './ingest-files.ts';
import { ingestRowsDuckdb } from './ingest-rows.ts';
import { removeDuckdb } from './remove.ts';

/** duckdb mode: rows inserted into the tables of bird.duckdb; nothing to merge, only spilled rows to take in. */
export function duckdbMode(layout: BirdLayout, config: BirdConfig): StorageMode {
  return {
    name: 'duckdb',
    append: (commands) => appendDuckdb(layout, commands),
    compactionDue: () => false,
    ingestRows: (batches) => ingestRowsDuckdb(layout, batches),
    ingestFiles: (remote, groups, options) => ingestFilesWith(layout, groups, options, (byTable) => ingestFilesDuckdb(layout, remote, byTable, options)),
    remove: (ids, ranges, options) => removeDuckdb(layout, ids, ranges, options),
    compact: (options) => compactDuckdb(layout, config, options),
  };
}
