// Parquet mode's bulk write of this machine's rows (an import): per batch, one file per table and
// day (`i-<uuid>.parquet` beside captured ones), made whole under temporary names; every
// PUBLISH_ROWS rows (and after the last batch) those staged are renamed in with one flush,
// under the compaction lock from the first read of the store to the last batch: no merge between.
// A run killed between publishes leaves whole batches; the next run skips what they hold.
import { join } from 'node:path';
import { BirdError, StagedFiles, localPartitionDir, uuidv7, waitForCompactionLock, type BirdLayout } from '@bird/core';
import { encodeParquet } from '@bird/writer-parquet';
import { ingestRowsWith } from '../ingest-rows.ts';
import type { IngestRowsResult, RowGroup } from '../storage-mode.ts';

const COMPACTION_WAIT_MS = 60_000;

/**
 * Rows staged before they are published together: a publish costs two flushes of the filesystem
 * whatever it holds (one a batch made 100 flushes for a million entries, ~2 s), and a run
 * killed before one loses at most this many rows' work, which the next run writes.
 */
const PUBLISH_ROWS = 250_000;

export async function ingestRowsParquet(layout: BirdLayout, batches: () => AsyncIterable<readonly RowGroup[]>): Promise<IngestRowsResult> {
  const lock = await waitForCompactionLock(layout, COMPACTION_WAIT_MS);
  if (!lock) throw new BirdError('a compaction held the store for over a minute; try again in a moment.');
  const staged = new StagedFiles({ tmpDir: layout.tmp });
  let stagedRows = 0;
  try {
    const publish = async () => {
      staged.publish();
      stagedRows = 0;
    };
    return await ingestRowsWith(
      layout,
      batches(),
      async (groups) => {
        for (const { table, date, rows } of groups) {
          staged.stage([{ path: join(localPartitionDir(layout, table.name, date), `i-${uuidv7(Date.now())}.parquet`), data: encodeParquet(table, rows) }]);
          stagedRows += rows.length;
        }
        if (stagedRows >= PUBLISH_ROWS) await publish();
      },
      publish,
    );
  } finally {
    staged.discard();
    lock.release();
  }
}
