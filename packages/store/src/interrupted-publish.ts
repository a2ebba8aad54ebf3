/**
 * A publish whose intent cannot tell what it was doing: the intent is unreadable (cut short,
 * garbage) or gone (deleted while its compactor was dead). sync-worker's PROTOCOL.md shows that
 * such a publish left its day in one of two states: the merged file not in place and every source
 * still there (nothing to do), or the merged file in place and some sources not yet deleted
 * (those rows are there twice). What rolling forward would have deleted is found by the rows:
 * in that day's folders, every file whose keys a merged file there holds, and never a row that
 * exists nowhere else. The day is the one whose ids were recorded last (core's newestMergedIds),
 * since step 2 records them just before the intent is written. The result is a list of intents,
 * which core's finishPublishes carries out by the usual protocol.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { MERGED_PREFIX, ROW_KEY, localPartitionDir, newestMergedIds, quoteIdent, quoteLiteral, type BirdLayout, type PublishIntent, type TableName } from '@bird/core';
import { cachedPartitionDir, isPlaceholderFile } from './layout.ts';

/** The publishes that finish the day of the last one (or `day`): a merged file each, and the files of its folder it holds. */
export async function interruptedPublishes(
  layout: BirdLayout,
  connection: DuckDBConnection,
  day: { table: TableName; date: string } | null = newestMergedIds(layout),
): Promise<PublishIntent[]> {
  if (!day) return [];
  const out: PublishIntent[] = [];
  for (const dir of dayFolders(layout, day.table, day.date)) {
    for (const [output, sources] of await filesHeldByMergedFiles(connection, dir, day.table)) out.push({ table: day.table, date: day.date, output, sources });
  }
  return out;
}

/** The folders one table's day has: this machine's and each pulled remote's (compaction merges both; their ids share one file). */
function dayFolders(layout: BirdLayout, table: TableName, date: string): string[] {
  const out = [localPartitionDir(layout, table, date)];
  let remotes: string[] = [];
  try {
    remotes = readdirSync(layout.cachedData);
  } catch {
    // nothing pulled
  }
  for (const remote of remotes) {
    try {
      out.push(cachedPartitionDir(layout, remote, table, date));
    } catch {
      // not a folder a pull made
    }
  }
  return out;
}

/**
 * Files of `dir` each of whose keys a merged file of `dir` holds, by that merged file. Merged files are taken largest
 * first, and a file is only ever deleted for one that stays: two merged files holding the same
 * keys lose one, never both. A file DuckDB cannot read is left alone (queries quarantine it).
 */
async function filesHeldByMergedFiles(connection: DuckDBConnection, dir: string, table: TableName): Promise<Map<string, string[]>> {
  const held = new Map<string, string[]>();
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.parquet') && !n.startsWith('.') && !isPlaceholderFile(n));
  } catch {
    // no partition folder (removed meanwhile): nothing is held there
    return held;
  }
  const key = (alias: string) => `CAST(${alias}.${quoteIdent(ROW_KEY[table])} AS VARCHAR)`;
  const rowsOf = async (file: string) => Number((await connection.runAndReadAll(`SELECT count(*) FROM read_parquet(${quoteLiteral(file)})`)).getRows()[0]![0]);
  const merged: { file: string; rows: number }[] = [];
  for (const name of names.filter((n) => n.startsWith(MERGED_PREFIX))) {
    const file = join(dir, name);
    try {
      merged.push({ file, rows: await rowsOf(file) });
    } catch {
      // unreadable: it holds nothing a source could be deleted for
    }
  }
  merged.sort((a, b) => b.rows - a.rows || (a.file < b.file ? -1 : 1));
  const gone = new Set<string>();
  for (const { file: holder } of merged) {
    if (gone.has(holder)) continue;
    for (const name of names) {
      const file = join(dir, name);
      if (file === holder || gone.has(file)) continue;
      try {
        const [missing, rows] = (
          await connection.runAndReadAll(
            `SELECT count(*) FILTER (WHERE m.k IS NULL), count(*) FROM read_parquet(${quoteLiteral(file)}) o
             LEFT JOIN (SELECT DISTINCT ${key('h')} AS k FROM read_parquet(${quoteLiteral(holder)}) h) m ON ${key('o')} = m.k`,
          )
        ).getRows()[0]!.map(Number);
        if (rows! > 0 && missing === 0) {
          gone.add(file);
          held.set(holder, [...(held.get(holder) ?? []), file]);
        }
      } catch {
        // unreadable, or not of this table
      }
    }
  }
  return held;
}
