// Parquet mode's ingest of pulled files: one new file per table and day in
// `db/data/cached/<name>/<table>/date=<d>/`, under the compaction lock (see ../ingest-files.ts).
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { TEMP_SUFFIX, duckdbTempOptions, quoteLiteral, uuidv7, waitForCompactionLock, writeFileAtomicWith, type BirdLayout, type TableName, ROW_ORDER } from '@bird/core';
import { storedFilesMayHold } from './stored-key-ranges.ts';
import { PLACEHOLDER_FILE, cachedPartitionDir, cachedRemoteDir, checkRemoteName } from '../../layout.ts';
import { freshCommands, stageFresh, type TableIngestResult } from '../ingest-files.ts';
import type { HistoryRow } from '@bird/history-index';
import type { IngestFilesOptions } from '../storage-mode.ts';

/** How long a pull waits for a compaction to finish before it gives up (and retries next run). */
const COMPACTION_WAIT_MS = 60_000;
/** What the ingest may hold in memory; past it DuckDB spills to a folder under `db/tmp`. */
const INGEST_MEMORY = '512MB';

/**
 * Parquet mode: one new file per day in `cached/<name>/<table>/date=<d>/`. Holds the compaction
 * lock, so no merge changes the folders between the check against their files and the rename.
 */
export async function ingestFilesParquet(layout: BirdLayout, remote: string, byTable: ReadonlyMap<TableName, string[]>, options: IngestFilesOptions): Promise<TableIngestResult> {
  const lock = await waitForCompactionLock(layout, COMPACTION_WAIT_MS);
  if (!lock) throw new Error('a compaction held the store for over a minute; the pull stopped before changing anything, and the next one retries.');
  const spill = duckdbTempOptions(layout);
  // Insertion order is not kept: nothing here reads rows in the order they came (each file is
  // written ORDER BY), and keeping it held ~250 KB a batch, so a first pull of thousands of small
  // batches filled the memory limit and spilled (2,000 batches of 3 rows: 488 MB).
  const instance = await DuckDBInstance.create(':memory:', { enable_external_file_cache: 'false', memory_limit: INGEST_MEMORY, preserve_insertion_order: 'false', ...spill });
  const connection = await instance.connect();
  let added = 0;
  let commands: HistoryRow[] | null = [];
  try {
    for (const [table, files] of byTable) {
      const relations = (lo: string, hi: string) => {
        const stored = storedFilesMayHold(layout, table, storedFilesOfTable(layout, table), lo, hi);
        return stored.length === 0 ? [] : [`read_parquet([${stored.map(quoteLiteral).join(', ')}], union_by_name = true)`];
      };
      if (!(await stageFresh(connection, layout, table, files, relations, options))) continue;
      const days = (await connection.runAndReadAll('SELECT DISTINCT CAST("date" AS VARCHAR) FROM fresh ORDER BY 1')).getRows().map((r) => String(r[0]));
      for (const date of days) {
        // A new name every time, never one that is there: rows are kept from doubling by the
        // anti-join above, and a name reused by other content would replace a cached file.
        const output = join(cachedPartitionDir(layout, remote, table, date), `p-${uuidv7(Date.now())}.parquet`);
        // Published durably (file and folder fsynced): the state moves past these batches only after.
        let count = 0;
        await writeFileAtomicWith(
          output,
          async (tmp) => {
            const result = await connection.runAndReadAll(`COPY (SELECT * FROM fresh WHERE "date" = DATE ${quoteLiteral(date)} ORDER BY ${ROW_ORDER[table]}) TO ${quoteLiteral(tmp)} (FORMAT parquet, COMPRESSION zstd)`);
            count = Number(result.getRows()[0]?.[0] ?? 0);
            if (!lock.stillHeld()) throw new Error('another process took the compaction lock over; the pull stopped, and the next one retries.');
            return count > 0;
          },
          { tmpDir: layout.tmp, mode: 0o600 },
        );
        added += count;
      }
      if (table === 'invocations') commands = await freshCommands(connection, remote);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(spill.temp_directory, { recursive: true, force: true });
    lock.release();
  }
  return { rows: added, commands };
}

/** Every stored file of one table: `local`'s and every cache's (placeholders, hidden and half-written files left out). */
function storedFilesOfTable(layout: BirdLayout, table: TableName): string[] {
  const tableDirs = [join(layout.localData, table), ...cachedRemoteNames(layout).map((remote) => join(cachedRemoteDir(layout, remote), table))];
  const files: string[] = [];
  for (const tableDir of tableDirs) {
    for (const part of entries(tableDir)) {
      if (!part.startsWith('date=')) continue;
      for (const name of entries(join(tableDir, part))) {
        if (name.endsWith('.parquet') && name !== PLACEHOLDER_FILE && !name.startsWith('.') && !name.endsWith(TEMP_SUFFIX)) files.push(join(tableDir, part, name));
      }
    }
  }
  return files;
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    // no such folder yet: empty
    return [];
  }
}

/** Remotes pulled from before (a folder each under `db/data/cached/`). */
function cachedRemoteNames(layout: BirdLayout): string[] {
  return entries(layout.cachedData).filter((name) => {
    try {
      checkRemoteName(name);
      return true;
    } catch {
      // not a remote's name (a stray folder): not ours to read
      return false;
    }
  });
}

