// duckdb mode's compaction: there are no small files; commands older than `[retention]` allows
// are forgotten first (retention.ts), then rows spilled to `db/spill/` while another process held
// bird.duckdb go into their tables (inserts skip ids already there), then a CHECKPOINT folds the
// WAL into the database file. A rewrite of the file a killed remove left due is done here too
// (rewrite-catalog.ts).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TABLE_NAMES, instantMicros, type BirdConfig, type BirdLayout } from '@bird/core';
import { DuckDbRecordWriter } from '@bird/writer-duckdb';
import { openCatalog } from '../../catalog-lock.ts';
import { applyRetention } from '../retention.ts';
import type { CompactOptions, CompactSummary } from '../storage-mode.ts';
import { removeDuckdb } from './remove.ts';
import { finishDueRewrite } from './rewrite-catalog.ts';

export async function compactDuckdb(layout: BirdLayout, config: BirdConfig, options: CompactOptions = {}): Promise<CompactSummary> {
  const started = Date.now();
  const retention = options.dryRun ? null : await applyRetention(layout, config, { localSeriesBefore: (before) => localSeriesBefore(layout, before), remove: (ranges) => removeDuckdb(layout, [], ranges) }, options.nowMs ?? Date.now());
  const spilled = countSpilled(layout);
  const summary = (outcome: CompactSummary['outcome'], taken: number): CompactSummary => ({
    outcome,
    mode: 'duckdb',
    filesIn: outcome === 'done' ? spilled : 0,
    filesOut: 0,
    rows: taken,
    bytesIn: 0,
    bytesOut: 0,
    seconds: (Date.now() - started) / 1000,
    quarantined: [],
    jobs: [],
    ...(retention ? { retention } : {}),
  });
  const writer = await DuckDbRecordWriter.open(layout, { lockWaitMs: 15_000 });
  try {
    if (writer.spilling) return summary('locked', 0);
    await writer.checkpoint();
  } finally {
    await writer.close();
  }
  await finishDueRewrite(layout, 15_000);
  return summary('done', spilled - countSpilled(layout));
}

/** The client ids of this machine's commands that started before `before`. */
async function localSeriesBefore(layout: BirdLayout, before: string): Promise<string[]> {
  const catalog = await openCatalog(layout.catalog, 'read_only');
  try {
    const connection = await catalog.instance.connect();
    try {
      const read = await connection.runAndReadAll(`SELECT DISTINCT client_id FROM local.invocations WHERE "timestamp" < make_timestamptz(${instantMicros(before)}::BIGINT) AND client_id IS NOT NULL ORDER BY 1`);
      return read.getRows().map((r) => String(r[0]));
    } finally {
      connection.closeSync();
    }
  } finally {
    catalog.release();
  }
}

function countSpilled(layout: BirdLayout): number {
  let n = 0;
  for (const table of TABLE_NAMES) {
    try {
      n += readdirSync(join(layout.spill, table)).filter((f) => f.endsWith('.parquet')).length;
    } catch {
      // no spill folder for this table: nothing spilled into it
    }
  }
  return n;
}
