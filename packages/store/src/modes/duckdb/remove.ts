// duckdb mode's remove: one transaction of DELETEs over `local.*` and every `cached_*` table of
// bird.duckdb (all or none), the file then rewritten so that no byte of them stays in it
// (rewrite-catalog.ts), and the rows spilled to `db/spill/` while the catalog was held,
// which no reader sees, written again without them.
import { existsSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { TABLE_NAMES, quoteIdent, quoteLiteral, tempPathFor, type BirdLayout } from '@bird/core';
import { openCatalog } from '../../catalog-lock.ts';
import { inTransaction } from './in-transaction.ts';
import { markIndexStale } from '@bird/history-index';
import { emptyCounts, removedRows, stageRemoval, type CommandRef, type SeriesCutoff } from '../remove.ts';
import { finishIndexLeftStale } from '../../history-index-rebuild.ts';
import { discardOutputSearchCache } from '../../output-search-cache.ts';
import { indexFollowsRemoval, removedCommandIds } from '../index-after-removal.ts';
import type { RemoveOptions, RemoveResult } from '../storage-mode.ts';
import { cachedSchemas } from './ingest-files.ts';
import { clearRewriteDue, finishDueRewrite, markRewriteDue, rewriteCatalogFile } from './rewrite-catalog.ts';

const CATALOG_WAIT_MS = 60_000;

export async function removeDuckdb(layout: BirdLayout, ids: readonly CommandRef[], ranges: readonly SeriesCutoff[] = [], options: RemoveOptions = {}): Promise<RemoveResult> {
  const rows = emptyCounts();
  const tables = options.tables ?? TABLE_NAMES;
  // The history index holds commands: it follows only when they go.
  const commandsGo = tables.includes('invocations');
  if (ids.length === 0 && ranges.length === 0) {
    // Nothing to remove: only what a killed remove may have left due (the rewrite, the index).
    await finishDueRewrite(layout, CATALOG_WAIT_MS);
    await finishIndexLeftStale(layout);
    return { rows, files: 0 };
  }
  // Before and after: no copy of what goes is left on disk, even by a search reading meanwhile.
  discardOutputSearchCache(layout);
  const catalog = await openCatalog(layout.catalog, 'read_write', { lockTimeoutMs: CATALOG_WAIT_MS });
  let files = 0;
  // Set once a row is found to go: a removal that finds nothing (a pull naming commands already
  // gone, a forget run again) leaves the history index as it is, with no rebuild.
  let marker: string | null = null;
  const indexMustFollow = () => {
    marker ??= markIndexStale(layout.historyIndex);
  };
  // The removed commands' ids, for the history index; null when too many, and it is rebuilt.
  let removed: string[] | null = [];
  const removing = (found: string[] | null) => {
    removed = found === null || removed === null ? null : [...removed, ...found];
  };
  try {
    const connection = await catalog.instance.connect();
    try {
      const schemas = ['local', ...(await cachedSchemas(connection))];
      const commands = `(${schemas.map((s) => `SELECT id, session_id, client_id, "timestamp" FROM ${quoteIdent(s)}.invocations`).join(' UNION ALL ')})`;
      await stageRemoval(connection, ids, commands, ranges);
      let found = 0;
      for (const table of tables) {
        for (const schema of schemas) {
          const hit = await connection.runAndReadAll(`SELECT count(*) FROM ${quoteIdent(schema)}.${quoteIdent(table)} r WHERE ${removedRows(table, 'r')}`);
          found += Number(hit.getRows()[0]?.[0] ?? 0);
        }
      }
      const wasDue = existsSync(layout.catalogRewriteDue);
      if (found > 0) {
        if (commandsGo) {
          removing(await removedCommandIds(connection, commands));
          indexMustFollow();
        }
        markRewriteDue(layout); // before the rows go: the file keeps their bytes until it is rewritten
        await inTransaction(connection, async () => {
          for (const table of tables) {
            for (const schema of schemas) {
              const result = await connection.run(`DELETE FROM ${quoteIdent(schema)}.${quoteIdent(table)} r WHERE ${removedRows(table, 'r')}`);
              rows[table] += Number(result.rowsChanged);
            }
          }
        });
      }
      if (wasDue || TABLE_NAMES.some((t) => rows[t] > 0)) await rewriteCatalogFile(connection, layout);
      clearRewriteDue(layout);
      for (const table of tables) {
        for (const name of spilled(layout, table)) {
          const file = join(layout.spill, table, name);
          const hit = await connection.runAndReadAll(`SELECT count(*) FROM read_parquet(${quoteLiteral(file)}) r WHERE ${removedRows(table, 'r')}`);
          const n = Number(hit.getRows()[0]?.[0] ?? 0);
          if (n === 0) continue;
          if (table === 'invocations') removing(await removedCommandIds(connection, `read_parquet(${quoteLiteral(file)})`));
          if (commandsGo) indexMustFollow();
          const tmp = tempPathFor(file, layout.tmp);
          await connection.run(`COPY (SELECT * FROM read_parquet(${quoteLiteral(file)}) r WHERE NOT coalesce(${removedRows(table, 'r')}, false)) TO ${quoteLiteral(tmp)} (FORMAT parquet)`);
          renameSync(tmp, file);
          rows[table] += n;
          files++;
        }
      }
    } finally {
      connection.closeSync();
    }
  } finally {
    catalog.release();
    discardOutputSearchCache(layout);
  }
  if (marker !== null) await indexFollowsRemoval(layout, marker, removed); // committed, and every spilled file rewritten
  else await finishIndexLeftStale(layout);
  return { rows, files };
}

function spilled(layout: BirdLayout, table: string): string[] {
  try {
    return readdirSync(join(layout.spill, table)).filter((n) => n.endsWith('.parquet') && !n.startsWith('.'));
  } catch {
    return []; // nothing spilled for this table
  }
}
