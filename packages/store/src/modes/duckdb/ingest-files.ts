// duckdb mode's ingest of pulled files: every table's fresh rows inserted into
// `cached_<name>.<table>` of bird.duckdb in one transaction (see ../ingest-files.ts).
import type { DuckDBConnection } from '@duckdb/node-api';
import { TABLES, quoteIdent, type BirdLayout, type TableName, ROW_ORDER } from '@bird/core';
import { openCatalog } from '../../catalog-lock.ts';
import { inTransaction } from './in-transaction.ts';
import { markEventsWritten } from '../../events-present.ts';
import { cachedSchema } from '../../layout.ts';
import { freshCommands, stageFresh, type TableIngestResult } from '../ingest-files.ts';
import type { HistoryRow } from '@bird/history-index';
import type { IngestFilesOptions } from '../storage-mode.ts';

/** How long a duckdb-mode pull waits for bird.duckdb held by another process (`bird sql`, a drainer). */
const CATALOG_WAIT_MS = 60_000;

/** DuckDB mode: every table's fresh rows inserted into `cached_<name>.<table>` in one transaction (committed durably by DuckDB's WAL). */
export async function ingestFilesDuckdb(layout: BirdLayout, remote: string, byTable: ReadonlyMap<TableName, string[]>, options: IngestFilesOptions): Promise<TableIngestResult> {
  if ((byTable.get('events')?.length ?? 0) > 0) markEventsWritten(layout);
  const catalog = await openCatalog(layout.catalog, 'read_write', { lockTimeoutMs: CATALOG_WAIT_MS });
  let connection: DuckDBConnection | undefined;
  try {
    connection = await catalog.instance.connect();
    const schema = quoteIdent(cachedSchema(remote));
    const stored = ['local', ...(await cachedSchemas(connection))];
    let added = 0;
    let commands: HistoryRow[] | null = [];
    const conn = connection;
    await inTransaction(conn, async () => {
      for (const [table, files] of byTable) {
        if (!(await stageFresh(conn, layout, table, files, () => stored.map((s) => `${quoteIdent(s)}.${quoteIdent(table)}`), options))) continue;
        const columns = TABLES[table].columns.map((c) => quoteIdent(c.name)).join(', ');
        const result = await conn.run(`INSERT INTO ${schema}.${quoteIdent(table)} (${columns}) SELECT ${columns} FROM fresh ORDER BY ${ROW_ORDER[table]}`);
        added += Number(result.rowsChanged);
        if (table === 'invocations') commands = await freshCommands(conn, remote);
      }
      await conn.run('DROP TABLE IF EXISTS fresh');
    });
    // Journaled by the caller once committed: the journal holds only stored rows.
    return { rows: added, commands };
  } finally {
    connection?.closeSync();
    catalog.release();
  }
}

/** The `cached_*` schemas bird.duckdb holds tables in (duckdb mode), the placeholder left out. */
export async function cachedSchemas(connection: DuckDBConnection): Promise<string[]> {
  const reader = await connection.runAndReadAll(`SELECT DISTINCT schema_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name LIKE 'cached\\_%' ESCAPE '\\' AND schema_name <> 'cached_placeholder' ORDER BY 1`);
  return reader.getRows().map((r) => String(r[0]));
}
