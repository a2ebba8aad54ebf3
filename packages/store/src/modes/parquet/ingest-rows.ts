// Parquet mode's bulk write of this machine's rows (an import): per batch, one file per table and
// day (`i-<uuid>.parquet` beside captured ones), all made whole then renamed in with one flush,
// under the compaction lock from the first read of the store to the last batch: no merge between.
// A run killed between batches leaves whole batches; the next run skips what they hold.
import { join } from 'node:path';
import { BirdError, localPartitionDir, uuidv7, waitForCompactionLock, writeFilesAtomic, type BirdLayout } from '@bird/core';
import { encodeParquet } from '@bird/writer-parquet';
import { ingestRowsWith } from '../ingest-rows.ts';
import type { IngestRowsResult, RowGroup } from '../storage-mode.ts';

const COMPACTION_WAIT_MS = 60_000;

export async function ingestRowsParquet(layout: BirdLayout, batches: () => AsyncIterable<readonly RowGroup[]>): Promise<IngestRowsResult> {
  const lock = await waitForCompactionLock(layout, COMPACTION_WAIT_MS);
  if (!lock) throw new BirdError('a compaction held the store for over a minute; try again in a moment.');
  try {
    return await ingestRowsWith(layout, batches(), async (groups) => {
      const files = groups.map(({ table, date, rows }) => ({ path: join(localPartitionDir(layout, table.name, date), `i-${uuidv7(Date.now())}.parquet`), data: encodeParquet(table, rows) }));
      writeFilesAtomic(files, { tmpDir: layout.tmp });
    });
  } finally {
    lock.release();
  }
}
