// Parquet mode's replacement of commands' events (`bird events --reparse`): per day, one file
// holding the day's events files' rows without those commands' old events and with their new
// ones, published in place of those files by compaction's protocol (publish.ts). A command's
// events are all in its day's folder, so a kill -9 anywhere leaves each command its old events or
// its new ones, never none and never both. Under the compaction lock.
import { readdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  BirdError,
  EVENTS,
  MERGED_PREFIX,
  TEMP_SUFFIX,
  duckdbTempOptions,
  localPartitionDir,
  parquetRead,
  quoteLiteral,
  sha256,
  tempPathFor,
  toHex,
  typedSelectList,
  waitForCompactionLock,
  writeFileAtomic,
  type BirdLayout,
  type EventRow,
} from '@bird/core';
import { encodeParquet } from '@bird/writer-parquet';
import { PLACEHOLDER_FILE } from '../../layout.ts';
import type { ReplacedCommand } from '../storage-mode.ts';
import { publishRemoval, publishReplacement } from './publish.ts';

const COMPACTION_WAIT_MS = 60_000;

export async function replaceEventsParquet(layout: BirdLayout, commands: readonly ReplacedCommand[], rows: readonly EventRow[]): Promise<void> {
  if (commands.length === 0) return;
  const lock = await waitForCompactionLock(layout, COMPACTION_WAIT_MS);
  if (!lock) throw new BirdError('a compaction held the store for over a minute; no events were replaced yet: run it again in a moment.');
  const instance = await DuckDBInstance.create(':memory:', { enable_external_file_cache: 'false', ...duckdbTempOptions(layout) });
  const connection = await instance.connect();
  try {
    for (const date of [...new Set(commands.map((c) => c.date))].sort()) {
      const ids = commands.filter((c) => c.date === date).map((c) => c.id);
      const fresh = rows.filter((r) => r.date === date);
      const dir = localPartitionDir(layout, 'events', date);
      const present = dataFiles(dir);
      const idList = ids.map(quoteLiteral).join(', ');
      // The files that hold an old event of these commands: they are the ones replaced.
      const sources =
        present.length === 0
          ? []
          : (await connection.runAndReadAll(`SELECT DISTINCT filename FROM read_parquet([${present.map(quoteLiteral).join(', ')}], union_by_name = true, filename = true) WHERE invocation_id IN (${idList}) ORDER BY 1`))
              .getRows()
              .map((r) => String(r[0]));
      if (sources.length === 0 && fresh.length === 0) continue;
      // Named from what it replaces and holds: a run cut short and run again writes the same name.
      const output = join(dir, `${MERGED_PREFIX}${toHex(sha256(`reparse\n${sources.map((s) => basename(s)).join('\n')}\n${fresh.map((r) => r.id).join('\n')}`)).slice(0, 20)}.parquet`);
      const tmp = tempPathFor(output, layout.tmp);
      const freshFile = tempPathFor(join(layout.tmp, 'reparsed-events.parquet'), layout.tmp);
      try {
        const parts: string[] = [];
        if (sources.length > 0) parts.push(`SELECT ${typedSelectList(EVENTS, 'r')} FROM ${parquetRead(EVENTS, `[${sources.map(quoteLiteral).join(', ')}]`)} r WHERE r.invocation_id NOT IN (${idList})`);
        if (fresh.length > 0) {
          writeFileAtomic(freshFile, encodeParquet(EVENTS, fresh), { durable: false });
          parts.push(`SELECT ${typedSelectList(EVENTS, 'r')} FROM ${parquetRead(EVENTS, quoteLiteral(freshFile))} r`);
        }
        const kept = `(${parts.join(' UNION ALL BY NAME ')})`;
        const count = Number((await connection.runAndReadAll(`SELECT count(*) FROM ${kept}`)).getRows()[0]![0]);
        if (count === 0) {
          publishRemoval(layout, lock, { table: 'events', date, dir, sources });
          continue;
        }
        await connection.run(`COPY (SELECT * FROM ${kept} k QUALIFY row_number() OVER (PARTITION BY k.id ORDER BY k.id) = 1 ORDER BY k.id) TO ${quoteLiteral(tmp)} (FORMAT parquet, COMPRESSION zstd)`);
        const heldIds = (await connection.runAndReadAll(`SELECT CAST(id AS VARCHAR) FROM read_parquet(${quoteLiteral(tmp)})`)).getRows().map((r) => String(r[0]));
        publishReplacement(layout, lock, { table: 'events', date, dir, tmp, output, sources, ids: heldIds });
      } finally {
        rmSync(tmp, { force: true });
        rmSync(freshFile, { force: true });
      }
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
    lock.release();
  }
}

/** The finished data files of one partition (the placeholder, hidden and half-written files left out). */
function dataFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return []; // no events that day yet
  }
  return names.filter((n) => n.endsWith('.parquet') && n !== PLACEHOLDER_FILE && !n.startsWith('.') && !n.endsWith(TEMP_SUFFIX)).map((n) => join(dir, n));
}
