// duckdb mode's bulk write of this machine's rows (an import): the rows go through Parquet files
// in `db/tmp` into one transaction of bird.duckdb; keys already stored are left out.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROW_KEY, quoteIdent, quoteLiteral, writeFileAtomic, type BirdLayout } from '@bird/core';
import { encodeParquet } from '@bird/writer-parquet';
import { openCatalog } from '../../catalog-lock.ts';
import { ingestRowsWith } from '../ingest-rows.ts';
import type { IngestRowsResult, RowGroup } from '../storage-mode.ts';

export async function ingestRowsDuckdb(layout: BirdLayout, prepare: () => Promise<readonly RowGroup[]>, onProgress?: (done: number, total: number) => void): Promise<IngestRowsResult> {
  return ingestRowsWith(layout, await prepare(), async (groups) => {
    const files = groups.map(({ table, rows }, i) => {
      const file = join(layout.tmp, `import-${process.pid}-${i}.parquet`);
      writeFileAtomic(file, encodeParquet(table, rows), { durable: false });
      return { table, file };
    });
    const catalog = await openCatalog(layout.catalog, 'read_write');
    try {
      const conn = await catalog.instance.connect();
      try {
        await conn.run('BEGIN TRANSACTION');
        for (const [n, { table, file }] of files.entries()) {
          const key = quoteIdent(ROW_KEY[table.name]);
          const target = `local.${quoteIdent(table.name)}`;
          // NOT EXISTS, never NOT IN: one NULL key stored would make NOT IN keep no row at all.
          await conn.run(`INSERT INTO ${target} BY NAME SELECT * FROM read_parquet(${quoteLiteral(file)}) i WHERE NOT EXISTS (SELECT 1 FROM ${target} s WHERE s.${key} = i.${key})`);
          onProgress?.(n + 1, files.length);
        }
        await conn.run('COMMIT');
      } catch (error) {
        // a failed statement may have ended the transaction already; the statement's error is the one to report
        await conn.run('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        conn.closeSync();
      }
    } finally {
      catalog.release();
      for (const { file } of files) rmSync(file, { force: true });
    }
  });
}
