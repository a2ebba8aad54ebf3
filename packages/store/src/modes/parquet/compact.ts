// Parquet mode's compaction (`bird-sync compact`, `bird compact`): the I/O around planCompaction.
// The publish protocol is written down in packages/sync-worker/PROTOCOL.md; the step numbers
// below refer to it.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { markIndexStale } from '@bird/history-index';
import {
  MERGED_PREFIX,
  TABLES,
  TABLE_NAMES,
  bumpGeneration,
  duckdbTempOptions,
  finishPublishes,
  instantMicros,
  keepUnreadableIntent,
  localPartitionDir,
  mergedIdsLookSound,
  mergedIdsPath,
  newestMergedIds,
  quarantineFile,
  quoteLiteral,
  readPublishIntent,
  rewriteMergedIds,
  rollForwardPublish,
  sweepDeadTemporaries,
  tempPathFor,
  tryCompactionLock,
  typedSelectList,
  hasAddedColumns,
  parquetRead,
  unfinishedPublishDay,
  type BirdConfig,
  type BirdLayout,
  type Lock,
  ROW_KEY,
  ROW_ORDER,
} from '@bird/core';
import { whyBad } from '../../bad-files.ts';
import { interruptedPublishes } from '../../interrupted-publish.ts';
import { PLACEHOLDER_FILE } from '../../layout.ts';
import type { CompactOptions, CompactSummary } from '../storage-mode.ts';
import { stageForgotten } from '../forgotten.ts';
import { removedRows } from '../remove.ts';
import { applyRetention, type RetentionOutcome } from '../retention.ts';
import { publishReplacement, removeQuietly } from './publish.ts';
import { removeParquetLocked } from './remove.ts';
import { planCompaction, type CompactionJob, type PartitionListing } from './plan-compaction.ts';

const KEY = ROW_KEY;
const ORDER = ROW_ORDER;

/** Parquet mode's compaction: each partition's small files merged into one, by the publish protocol. */
export async function compactParquet(layout: BirdLayout, config: BirdConfig, options: CompactOptions = {}): Promise<CompactSummary> {
  const started = Date.now();
  const nowMs = options.nowMs ?? Date.now();
  const lock = options.dryRun ? null : tryCompactionLock(layout);
  if (!options.dryRun && !lock) return summary('locked', started, [], 0, 0, 0, 0, 0, []);
  let duckdb: { instance: DuckDBInstance; connection: DuckDBConnection; forgetting?: boolean } | null = null;
  let retention: RetentionOutcome | null = null;
  try {
    if (lock) {
      sweepDeadTemporaries(layout);
      // Each file is read once: caching them only costs memory, and ~0.5 s to free on close at 10,000 files.
      const instance = await DuckDBInstance.create(':memory:', { enable_external_file_cache: 'false', ...duckdbTempOptions(layout) });
      duckdb = { instance, connection: await instance.connect() };
      await finishInterruptedPublish(layout, duckdb.connection, options);
      // Commands older than [retention] allows go first (the merges then have less to read).
      retention = await applyRetention(layout, config, { localSeriesBefore: (before) => localSeriesBefore(layout, duckdb!.connection, before), remove: (ranges) => removeParquetLocked(layout, lock, [], ranges) }, nowMs);
      // Rows forgotten here that are still on disk (a forget cut short) go with the merge.
      duckdb.forgetting = await stageForgotten(duckdb.connection, layout);
    }
    const partitions = listPartitions(layout);
    if (duckdb) await repairMergedIds(layout, duckdb.connection, partitions, options);
    const policy = { minFiles: config.compaction.min_files, minAgeMs: config.compaction.min_age_seconds * 1000, targetBytes: config.compaction.target_file_mb * 1024 * 1024 };
    const jobs = planCompaction(partitions, { ms: nowMs, today: new Date(nowMs).toISOString().slice(0, 10) }, policy);
    if (!duckdb) {
      const filesIn = jobs.reduce((n, j) => n + j.inputs.length, 0);
      const bytesIn = jobs.reduce((n, j) => n + j.inputs.reduce((m, f) => m + sizeOf(join(j.dir, f)), 0), 0);
      return summary('dry-run', started, jobs, filesIn, jobs.length, 0, bytesIn, 0, []);
    }
    const quarantined: string[] = [];
    let filesIn = 0;
    let filesOut = 0;
    let rows = 0;
    let bytesIn = 0;
    let bytesOut = 0;
    for (const [i, job] of jobs.entries()) {
      const done = await runJob(layout, lock!, duckdb.connection, job, quarantined, options, duckdb.forgetting);
      if (done) {
        filesIn += done.filesIn;
        filesOut += 1;
        rows += done.rows;
        bytesIn += done.bytesIn;
        bytesOut += done.bytesOut;
        options.onStep?.(`${job.table} ${job.date}: ${done.filesIn} files → ${job.output} (${done.rows} rows)`);
      }
      options.onProgress?.(i + 1, jobs.length);
    }
    return { ...summary('done', started, jobs, filesIn, filesOut, rows, bytesIn, bytesOut, quarantined), ...(retention ? { retention } : {}) };
  } finally {
    duckdb?.connection.closeSync();
    duckdb?.instance.closeSync();
    lock?.release();
  }
}

/**
 * Step 0 of PROTOCOL.md: a publish a compactor left half done is finished. By its intent when it
 * reads; by the rows of the day it was publishing when the intent is damaged, or gone while an ids
 * file newer than the generation says a publish did not finish (core's unfinishedPublishDay).
 */
async function finishInterruptedPublish(layout: BirdLayout, connection: DuckDBConnection, options: CompactOptions): Promise<void> {
  const intent = readPublishIntent(layout);
  if (intent !== null && intent !== 'unreadable') {
    rollForwardPublish(layout, intent);
    options.onStep?.(`finished a publish a compactor left half done (${intent.output ?? `${intent.sources.length} files whose every row was forgotten, removed`})`);
    return;
  }
  const day = intent === 'unreadable' ? newestMergedIds(layout) : unfinishedPublishDay(layout);
  if (intent === null && day === null) return;
  const kept = intent === 'unreadable' ? keepUnreadableIntent(layout) : null;
  const publishes = await interruptedPublishes(layout, connection, day);
  finishPublishes(layout, publishes);
  const what = publishes.length === 0 ? 'nothing had been published' : publishes.map((p) => `${p.sources.length} files held by ${p.output} removed`).join('; ');
  if (intent === 'unreadable') {
    options.onWarning?.(`the compaction intent ${join(layout.compaction, 'publishing')} could not be read; finished its publish by the rows on disk (${what})${kept ? ` and kept the intent as ${kept}` : ''}.`);
  } else {
    options.onStep?.(`finished a publish a compactor left without an intent (${what})`);
  }
}

/**
 * The ids a drainer redoing a claim must skip (PROTOCOL.md, "The other writers") are rebuilt from
 * the merged files that hold them, for every day of this machine's invocations whose ids file is
 * missing or damaged. The generation then moves on, so the rewritten file does not read as a
 * publish left unfinished.
 */
async function repairMergedIds(layout: BirdLayout, connection: DuckDBConnection, partitions: readonly PartitionListing[], options: CompactOptions): Promise<void> {
  let repaired = 0;
  for (const p of partitions) {
    if (p.table !== 'invocations' || p.dir !== localPartitionDir(layout, 'invocations', p.date)) continue;
    const merged = p.files.filter((f) => f.name.startsWith(MERGED_PREFIX)).map((f) => join(p.dir, f.name));
    if (merged.length === 0 || mergedIdsLookSound(layout, p.date)) continue;
    let ids: string[] = [];
    for (const file of merged) {
      try {
        const reader = await connection.runAndReadAll(`SELECT DISTINCT CAST(${KEY.invocations} AS VARCHAR) FROM read_parquet(${quoteLiteral(file)})`);
        ids = ids.concat(reader.getRows().map((r) => String(r[0])));
      } catch {
        // unreadable: the merge that reads it next quarantines it
      }
    }
    rewriteMergedIds(layout, 'invocations', p.date, [...new Set(ids)]);
    options.onStep?.(`rebuilt ${mergedIdsPath(layout, 'invocations', p.date)} from ${merged.length} merged files`);
    repaired++;
  }
  if (repaired > 0) bumpGeneration(layout);
}

/** Merges one job's files and publishes the result; null when too few readable files were left. */
async function runJob(
  layout: BirdLayout,
  lock: Lock,
  connection: DuckDBConnection,
  job: CompactionJob,
  quarantined: string[],
  options: CompactOptions,
  /** Forgotten ids are staged on `connection` (stageForgotten): leave their rows out. */
  forgetting = false,
): Promise<{ filesIn: number; rows: number; bytesIn: number; bytesOut: number } | null> {
  let inputs = job.inputs.map((name) => join(job.dir, name)).filter((path) => existsSync(path));
  const output = join(job.dir, job.output);
  for (;;) {
    if (inputs.length < 2) return null;
    const tmp = tempPathFor(output, layout.tmp);
    const list = `[${inputs.map(quoteLiteral).join(', ')}]`;
    const table = TABLES[job.table];
    let ids: string[];
    try {
      // 1. Merge into a temporary file: typed like the table, each row once, sorted, zstd.
      // Files of one schema are read as they are; union_by_name (a third slower) only when the
      // files disagree, as files from older versions may.
      const merge = (options: string) =>
        connection.run(
          `COPY (SELECT ${typedSelectList(table, 'r')} FROM ${hasAddedColumns(table) ? parquetRead(table, list) : `read_parquet(${list}${options})`} r${forgetting ? ` WHERE NOT coalesce(${removedRows(job.table, 'r')}, false)` : ''} QUALIFY row_number() OVER (PARTITION BY ${KEY[job.table]} ORDER BY ${KEY[job.table]}) = 1 ORDER BY ${ORDER[job.table]}) TO ${quoteLiteral(tmp)} (FORMAT parquet, COMPRESSION zstd)`,
        );
      try {
        await merge('');
      } catch {
        // files that disagree on columns or types; any other failure fails this retry too, and is thrown from it
        await merge(', union_by_name = true');
      }
      const reader = await connection.runAndReadAll(`SELECT CAST(${KEY[job.table]} AS VARCHAR) FROM read_parquet(${quoteLiteral(tmp)})`);
      ids = reader.getRows().map((r) => String(r[0]));
    } catch (error) {
      removeQuietly(tmp);
      // A damaged input: set it aside (never deleted), say so, and merge the rest.
      const bad: string[] = [];
      for (const file of inputs) if ((await whyBad(connection, file)) !== null) bad.push(file);
      if (bad.length === 0) throw error;
      for (const file of bad) {
        markIndexStale(layout.historyIndex); // its rows leave the store: the index must follow
        const dest = quarantineFile(layout, file);
        quarantined.push(dest);
        options.onWarning?.(`${file} is damaged (${await reasonOf(connection, dest)}); moved it to ${dest} and merged the rest.`);
      }
      inputs = inputs.filter((f) => !bad.includes(f));
      continue;
    }
    const bytesIn = inputs.reduce((n, f) => n + sizeOf(f), 0);
    publishReplacement(layout, lock, { table: job.table, date: job.date, dir: job.dir, tmp, output, sources: inputs, ids });
    return { filesIn: inputs.length, rows: ids.length, bytesIn, bytesOut: sizeOf(output) };
  }
}

async function reasonOf(connection: DuckDBConnection, file: string): Promise<string> {
  return (await whyBad(connection, file)) ?? 'unreadable';
}

/** The client ids of this machine's commands that started before `before` (only the days up to its own are read). */
async function localSeriesBefore(layout: BirdLayout, connection: DuckDBConnection, before: string): Promise<string[]> {
  const lastDay = before.slice(0, 10);
  const files = listPartitions(layout).filter((p) => p.table === 'invocations' && p.dir === localPartitionDir(layout, 'invocations', p.date) && p.date <= lastDay).flatMap((p) => p.files.map((f) => join(p.dir, f.name)));
  if (files.length === 0) return [];
  const read = await connection.runAndReadAll(`SELECT DISTINCT CAST(client_id AS VARCHAR) FROM read_parquet([${files.map(quoteLiteral).join(', ')}], union_by_name = true) WHERE "timestamp" < make_timestamptz(${instantMicros(before)}::BIGINT) AND client_id IS NOT NULL ORDER BY 1`);
  return read.getRows().map((r) => String(r[0]));
}

/** Every `date=` folder of every table: local rows, and rows pulled from each remote. */
export function listPartitions(layout: BirdLayout): PartitionListing[] {
  const roots = [layout.localData];
  try {
    for (const name of readdirSync(layout.cachedData)) roots.push(join(layout.cachedData, name));
  } catch {
    // nothing pulled yet
  }
  const out: PartitionListing[] = [];
  for (const root of roots) {
    for (const table of TABLE_NAMES) {
      let parts: string[];
      try {
        parts = readdirSync(join(root, table));
      } catch {
        // no folder for this table in this root: nothing to compact there
        continue;
      }
      for (const part of parts) {
        const m = /^date=(\d{4}-\d{2}-\d{2})$/.exec(part);
        if (!m) continue; // the placeholders' partition (date=-infinity) and anything that is not a day
        const dir = join(root, table, part);
        const files = [];
        for (const name of readdirSync(dir)) {
          if (!name.endsWith('.parquet') || name === PLACEHOLDER_FILE || name.startsWith('.')) continue;
          try {
            const st = statSync(join(dir, name));
            if (st.isFile()) files.push({ name, size: st.size, mtimeMs: st.mtimeMs });
          } catch {
            // gone since the listing
          }
        }
        out.push({ table, date: m[1]!, dir, files });
      }
    }
  }
  return out;
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    // removed meanwhile (by another compaction): it adds nothing
    return 0;
  }
}


function summary(outcome: CompactSummary['outcome'], started: number, jobs: readonly CompactionJob[], filesIn: number, filesOut: number, rows: number, bytesIn: number, bytesOut: number, quarantined: readonly string[]): CompactSummary {
  return { outcome, mode: 'parquet', filesIn, filesOut, rows, bytesIn, bytesOut, seconds: (Date.now() - started) / 1000, quarantined, jobs };
}
