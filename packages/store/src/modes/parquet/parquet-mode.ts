import type { BirdConfig, BirdLayout } from '@bird/core';
import { ingestFilesWith } from '../ingest-files.ts';
import type { StorageMode } from '../storage-mode.ts';
import { appendParquet } from './append.ts';
import { compactParquet } from './compact.ts';
import { parquetCompactionDue } from './compaction-due.ts';
import { ingestFilesParquet } from './ingest-files.ts';
import { ingestRowsParquet } from './ingest-rows.ts';
import { removeParquet } from './remove.ts';

/** Parquet mode: one atomic file per captured record under `db/data/local/`, merged by compaction. */
export function parquetMode(layout: BirdLayout, config: BirdConfig): StorageMode {
  return {
    name: 'parquet',
    append: (commands, options) => appendParquet(layout, commands, options),
    compactionDue: (date) => parquetCompactionDue(layout, config, date),
    ingestRows: (batches) => ingestRowsParquet(layout, batches),
    ingestFiles: (remote, groups, options) => ingestFilesWith(layout, groups, options, (byTable) => ingestFilesParquet(layout, remote, byTable, options)),
    remove: (ids, ranges, options) => removeParquet(layout, ids, ranges, options),
    compact: (options) => compactParquet(layout, config, options),
  };
}
