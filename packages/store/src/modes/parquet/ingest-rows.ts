// Parquet mode's bulk write of this machine's rows (an import): one file per table and day
// (`i-<uuid>.parquet` beside captured ones), all made whole then renamed in with one flush, under
// the compaction lock from `prepare`'s first read of the store to the last file: no merge between.
import { join } from 'node:path';
import { BirdError, localPartitionDir, uuidv7, waitForCompactionLock, writeFilesAtomic, type BirdLayout } from '@bird/core';
import { encodeParquet } from '@bird/writer-parquet';
import { ingestRowsWith } from '../ingest-rows.ts';
import type { IngestRowsResult, RowGroup } from '../storage-mode.ts';

const COMPACTION_WAIT_MS = 60_000;

export async function ingestRowsParquet(layout: BirdLayout, prepare: () => Promise<readonly RowGroup[]>, onProgress?: (done: number, total: number) => void): Promise<IngestRowsResult> {
  const lock = await waitForCompactionLock(layout, COMPACTION_WAIT_MS);
  if (!lock) throw new BirdError('a compaction held the store for over a minute; try again in a moment.');
  try {
    return await ingestRowsWith(layout, await prepare(), async (groups) => {
      let done = 0;
      const files = groups.map(({ table, date, rows }) => {
        const file = { path: join(localPartitionDir(layout, table.name, date), `i-${uuidv7(Date.now())}.parquet`), data: encodeParquet(table, rows) };
        onProgress?.(++done, groups.length);
        return file;
      });
      writeFilesAtomic(files, { tmpDir: layout.tmp });
    });
  } finally {
    lock.release();
  }
}
