// duckdb mode's replacement of commands' events (`bird events --reparse`): the old ones deleted
// and the new ones inserted in one transaction of bird.duckdb, so a kill -9 leaves each command
// its old events or its new ones (DuckDB's WAL), never none and never both.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { EVENTS, quoteLiteral, tempPathFor, writeFileAtomic, type BirdLayout, type EventRow } from '@bird/core';
import { encodeParquet } from '@bird/writer-parquet';
import { openCatalog } from '../../catalog-lock.ts';
import { inTransaction } from './in-transaction.ts';
import { markEventsWritten } from '../../events-present.ts';
import type { ReplacedCommand } from '../storage-mode.ts';

const CATALOG_WAIT_MS = 60_000;

export async function replaceEventsDuckdb(layout: BirdLayout, commands: readonly ReplacedCommand[], rows: readonly EventRow[]): Promise<void> {
  if (commands.length === 0) return;
  if (rows.length > 0) markEventsWritten(layout);
  const fresh = tempPathFor(join(layout.tmp, 'reparsed-events.parquet'), layout.tmp);
  if (rows.length > 0) writeFileAtomic(fresh, encodeParquet(EVENTS, rows), { durable: false });
  try {
    const catalog = await openCatalog(layout.catalog, 'read_write', { lockTimeoutMs: CATALOG_WAIT_MS });
    try {
      const conn = await catalog.instance.connect();
      try {
        await inTransaction(conn, async () => {
          await conn.run(`DELETE FROM local.events WHERE invocation_id IN (${commands.map((c) => quoteLiteral(c.id)).join(', ')})`);
          if (rows.length > 0) await conn.run(`INSERT INTO local.events BY NAME SELECT * FROM read_parquet(${quoteLiteral(fresh)})`);
        });
      } finally {
        conn.closeSync();
      }
    } finally {
      catalog.release();
    }
  } finally {
    rmSync(fresh, { force: true });
  }
}
