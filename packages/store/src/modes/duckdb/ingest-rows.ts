// duckdb mode's bulk write of this machine's rows (an import): each batch's rows go through
// Parquet files in `db/tmp` into one transaction of bird.duckdb; keys already stored are left out,
// so a run killed between batches and run again adds each row once.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROW_KEY, quoteIdent, quoteLiteral, writeFileAtomic, type BirdLayout } from '@bird/core';
import { encodeParquet } from '@bird/writer-parquet';
import { openCatalog } from '../../catalog-lock.ts';
import { inTransaction } from './in-transaction.ts';
import { markEventsWritten } from '../../events-present.ts';
import { ingestRowsWith } from '../ingest-rows.ts';
import type { IngestRowsResult, RowGroup } from '../storage-mode.ts';

export async function ingestRowsDuckdb(layout: BirdLayout, batches: () => AsyncIterable<readonly RowGroup[]>): Promise<IngestRowsResult> {
  return ingestRowsWith(layout, batches(), async (groups) => {
    if (groups.some(({ table, rows }) => table.name === 'events' && rows.length > 0)) markEventsWritten(layout);
    const files = groups.map(({ table, rows }, i) => {
      const file = join(layout.tmp, `import-${process.pid}-${i}.parquet`);
      writeFileAtomic(file, encodeParquet(table, rows), { durable: false });
      return { table, file };
    });
    const catalog = await openCatalog(layout.catalog, 'read_write');
    try {
      const conn = await catalog.instance.connect();
      try {
        await inTransaction(conn, async () => {
          for (const { table, file } of files) {
            const key = quoteIdent(ROW_KEY[table.name]);
            const target = `local.${quoteIdent(table.name)}`;
            // NOT EXISTS, never NOT IN: one NULL key stored would make NOT IN keep no row at all.
            await conn.run(`INSERT INTO ${target} BY NAME SELECT * FROM read_parquet(${quoteLiteral(file)}) i WHERE NOT EXISTS (SELECT 1 FROM ${target} s WHERE s.${key} = i.${key})`);
          }
        });
      } finally {
        conn.closeSync();
      }
    } finally {
      catalog.release();
      for (const { file } of files) rmSync(file, { force: true });
    }
  });
}
