// Parquet mode's remove: every file that holds a removed row is written again without it and
// published in its place by compaction's protocol (publish.ts), so readers see each row or not,
// and a kill anywhere leaves the old file or the new one; a file whose every row goes is deleted
// by the same protocol, with nothing in its place (a retention takes whole days so, and leaves no
// empty file for every reader to open). Under the compaction lock.
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  BirdError,
  MERGED_PREFIX,
  ROW_KEY,
  TABLE_NAMES,
  TEMP_SUFFIX,
  duckdbTempOptions,
  quoteIdent,
  quoteLiteral,
  sha256,
  tempPathFor,
  toHex,
  waitForCompactionLock,
  type BirdLayout,
  type Lock,
  type TableName,
} from '@bird/core';
import { markIndexStale } from '@bird/history-index';
import { PLACEHOLDER_FILE, cachedRemoteDir } from '../../layout.ts';
import { NO_COMMANDS, emptyCounts, removedRows, stageRemoval, type CommandRef, type SeriesCutoff } from '../remove.ts';
import { finishIndexLeftStale } from '../../history-index-rebuild.ts';
import { discardOutputSearchCache } from '../../output-search-cache.ts';
import { indexFollowsRemoval, removedCommandIds } from '../index-after-removal.ts';
import type { RemoveOptions, RemoveResult } from '../storage-mode.ts';
import { publishRemoval, publishReplacement } from './publish.ts';

const COMPACTION_WAIT_MS = 60_000;

/** The order a removal publishes tables in: what hangs off a command first, its session last. */
const REMOVAL_ORDER: readonly TableName[] = ['events', 'outputs', 'invocations', 'sessions'];

export async function removeParquet(layout: BirdLayout, ids: readonly CommandRef[], ranges: readonly SeriesCutoff[] = [], options: RemoveOptions = {}): Promise<RemoveResult> {
  if (ids.length === 0 && ranges.length === 0) {
    // Nothing to remove: only the index a killed removal may have left stale.
    await finishIndexLeftStale(layout);
    return { rows: emptyCounts(), files: 0 };
  }
  const lock = await waitForCompactionLock(layout, COMPACTION_WAIT_MS);
  if (!lock) throw new BirdError('a compaction held the store for over a minute; nothing was removed yet: run it again in a moment.');
  try {
    return await removeParquetLocked(layout, lock, ids, ranges, options);
  } finally {
    lock.release();
  }
}

/** removeParquet, by a process that holds the compaction lock already (a compaction's retention). */
export async function removeParquetLocked(layout: BirdLayout, lock: Lock, ids: readonly CommandRef[], ranges: readonly SeriesCutoff[] = [], options: RemoveOptions = {}): Promise<RemoveResult> {
  const tables = options.tables ?? TABLE_NAMES;
  const rows = emptyCounts();
  if (ids.length === 0 && ranges.length === 0) return { rows, files: 0 };
  // Before and after: no copy of what goes is left on disk, even by a search reading meanwhile.
  discardOutputSearchCache(layout);
  let files = 0;
  let marker: string | null;
  let removed: string[] | null;
  const instance = await DuckDBInstance.create(':memory:', { enable_external_file_cache: 'false', ...duckdbTempOptions(layout) });
  const connection = await instance.connect();
  try {
    const read = (list: readonly string[], extra = '') => `read_parquet([${list.map(quoteLiteral).join(', ')}], union_by_name = true${extra})`;
    const commands = dataFiles(layout, 'invocations');
    const invocations = commands.length > 0 ? read(commands) : NO_COMMANDS;
    await stageRemoval(connection, ids, invocations, ranges);
    // Which files hold a removed row, every table's, before any is written.
    const found: { table: TableName; hits: unknown[][] }[] = [];
    for (const table of tables) {
      const list = dataFiles(layout, table);
      if (list.length === 0) continue;
      const gone = `coalesce(${removedRows(table, 'r')}, false)`;
      const hits = (await connection.runAndReadAll(`SELECT filename, count(*) FILTER (WHERE ${gone}), count(*) FROM ${read(list, ', filename = true')} r GROUP BY filename HAVING count(*) FILTER (WHERE ${gone}) > 0 ORDER BY filename`)).getRows();
      if (hits.length > 0) found.push({ table, hits });
    }
    // Nothing here to remove (a pull naming commands already gone, a forget run again): the
    // history index stays as it is, with no rebuild, unless a killed removal left it stale; so
    // it does when no command goes (only their events).
    if (found.length === 0 || !tables.includes('invocations')) {
      marker = null;
      removed = null;
    } else {
      removed = await removedCommandIds(connection, invocations);
      marker = markIndexStale(layout.historyIndex); // rows leave the store: the index must follow, even after a kill
    }
    // What hangs off a command goes before the command: a kill in between leaves a command without
    // its events or outputs, which the removal run again finds and finishes, never an output whose
    // command is gone (nothing would name it to remove it).
    found.sort((a, b) => REMOVAL_ORDER.indexOf(a.table) - REMOVAL_ORDER.indexOf(b.table));
    for (const { table, hits } of found) {
      const gone = `coalesce(${removedRows(table, 'r')}, false)`;
      // Files whose every row goes: deleted, a partition at a time.
      const emptied = new Map<string, string[]>();
      for (const [file, n, all] of hits) {
        const source = String(file);
        const dir = dirname(source);
        rows[table] += Number(n);
        files++;
        if (Number(n) === Number(all)) {
          emptied.set(dir, [...(emptied.get(dir) ?? []), source]);
          continue;
        }
        // Named from its source: a run cut short and run again writes the same name.
        const output = join(dir, `${MERGED_PREFIX}${toHex(sha256(`remove\n${basename(source)}`)).slice(0, 20)}.parquet`);
        const tmp = tempPathFor(output, layout.tmp);
        // The file's own columns, every row but the removed ones (a row is kept unless the condition is true).
        await connection.run(`COPY (SELECT * FROM read_parquet(${quoteLiteral(source)}) r WHERE NOT ${gone}) TO ${quoteLiteral(tmp)} (FORMAT parquet, COMPRESSION zstd)`);
        const kept = (await connection.runAndReadAll(`SELECT CAST(${quoteIdent(ROW_KEY[table])} AS VARCHAR) FROM read_parquet(${quoteLiteral(tmp)})`)).getRows().map((r) => String(r[0]));
        publishReplacement(layout, lock, { table, date: dateOf(dir), dir, tmp, output, sources: [source], ids: kept });
      }
      for (const [dir, sources] of emptied) publishRemoval(layout, lock, { table, date: dateOf(dir), dir, sources });
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
    discardOutputSearchCache(layout);
  }
  if (marker === null) await finishIndexLeftStale(layout);
  else await indexFollowsRemoval(layout, marker, removed); // every file is published
  return { rows, files };
}

const dateOf = (partition: string) => basename(partition).slice('date='.length);

/** Every stored file of one table, local and cached (placeholders, hidden and half-written files left out). */
function dataFiles(layout: BirdLayout, table: TableName): string[] {
  const tableDirs = [join(layout.localData, table)];
  for (const remote of entries(layout.cachedData)) {
    try {
      tableDirs.push(join(cachedRemoteDir(layout, remote), table));
    } catch {
      // a folder there that is no remote's name: no pull made it, nothing of it is read
    }
  }
  const out: string[] = [];
  for (const tableDir of tableDirs) {
    for (const part of entries(tableDir)) {
      if (!/^date=\d{4}-\d{2}-\d{2}$/.test(part)) continue;
      for (const name of entries(join(tableDir, part))) {
        if (name.endsWith('.parquet') && name !== PLACEHOLDER_FILE && !name.startsWith('.') && !name.endsWith(TEMP_SUFFIX)) out.push(join(tableDir, part, name));
      }
    }
  }
  return out;
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    // no such partition here (the listing it came from is older): nothing in it to remove
    return [];
  }
}
