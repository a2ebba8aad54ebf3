// An owner's compaction of its series in the lake: each past day's batches of a table merged into
// one. Staged and committed exactly as a forget push is (push-forgets.ts): new batches and a
// segment that withdraws the old ones; the ledger points every key to the new batch; the old
// batches are deleted once the head names the segment (push.ts, commitLocally). PROTOCOL.md,
// "Compaction push"; the fields it writes, LAKE.md, "Compaction".
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROW_KEY, ROW_ORDER, TABLE_NAMES, forgotten, hasTombstones, quoteIdent, quoteLiteral, writeFileAtomic } from '@bird/core';
import { RemoteAccessError, lakeKey, parseLakeKey, segmentDoc, type SegmentBatch } from '@bird/remote';
import { ledgerBatches } from './ledger.ts';
import { planLakeCompaction, type CompactionGroup, type LiveBatch } from './plan-lake-compaction.ts';
import { newToken, type SeriesContext } from './series-rebuild.ts';
import { readLineSet, type SeriesPaths } from './sync-state.ts';

/** The groups this push merges: the series' live batches (ledger less withdrawn) through planLakeCompaction. */
export async function compactionToDo(ctx: SeriesContext, series: SeriesPaths, headSeq: number, now = new Date()): Promise<CompactionGroup[]> {
  const withdrawn = readLineSet(series.withdrawn);
  const live: LiveBatch[] = [];
  for (const table of TABLE_NAMES) {
    for (const b of await ledgerBatches(ctx.conn, series, table)) {
      const parsed = parseLakeKey(b.key);
      if (parsed === null || parsed.client !== series.client || parsed.table !== table || withdrawn.has(b.key)) continue;
      live.push({ key: b.key, table, date: parsed.date, rows: b.rows, seq: b.seq });
    }
  }
  const range = hasTombstones(ctx.layout) ? forgotten(ctx.layout).rangeOf(series.client) : undefined;
  return planLakeCompaction({ batches: live, today: now.toISOString().slice(0, 10), headSeq, ...(range ? { forgottenBefore: range.before.slice(0, 10) } : {}) });
}

/**
 * Stages `outbox/<seq>/`: for each group, its batches downloaded (what the lake holds is the
 * truth), their rows written as one batch, deduplicated by key and in time order, named from its
 * keys as every batch is (a retry writes the same name and bytes); the segment lists the merged
 * batches, each with `replaces` and `upTo`, and withdraws the old ones. A batch already gone from
 * the lake (deleted by a push whose note of it was lost) is withdrawn with nothing merged from it.
 * Returns how many batches were merged away; 0 stages nothing.
 */
export async function stageCompaction(ctx: SeriesContext, series: SeriesPaths, seq: number, groups: readonly CompactionGroup[]): Promise<number> {
  if (groups.length === 0) return 0;
  const building = join(series.outbox, `.${seq}.${process.pid}`);
  rmSync(building, { recursive: true, force: true });
  mkdirSync(join(building, 'old'), { recursive: true, mode: 0o700 });
  const batches: SegmentBatch[] = [];
  const withdrawn: string[] = [];
  let merged = 0;
  for (const group of groups) {
    const present: string[] = [];
    for (const old of group.batches) {
      try {
        await ctx.backend.get(old, join(building, 'old', old));
        present.push(old);
      } catch (error) {
        if (!(error instanceof RemoteAccessError && error.failure === 'missing-object')) throw error;
        withdrawn.push(old);
      }
    }
    const fresh = present.length > 1 ? await mergeBatches(ctx, building, group, present) : null;
    if (fresh === null) continue;
    // A merge whose keys are those of one of its batches (the others held only rows it has) keeps
    // that name: it is not withdrawn, or the delete after the commit would take the merged batch.
    const replaced = present.filter((k) => k !== fresh.key);
    withdrawn.push(...replaced);
    merged += replaced.length;
    batches.push({ ...fresh, replaces: replaced, upTo: group.upTo });
  }
  rmSync(join(building, 'old'), { recursive: true, force: true });
  if (withdrawn.length === 0) {
    rmSync(building, { recursive: true, force: true });
    return 0;
  }
  writeFileAtomic(join(building, 'segment.json'), `${JSON.stringify(segmentDoc(series.client, seq, newToken(), batches, { withdrawn }))}\n`, { mode: 0o600 });
  renameSync(building, join(series.outbox, String(seq)));
  return merged;
}

/** One batch of the rows of `keys` (downloaded under `building/old/`), into `building/batches/`. */
async function mergeBatches(ctx: SeriesContext, building: string, group: CompactionGroup, keys: readonly string[]): Promise<SegmentBatch | null> {
  const key = quoteIdent(ROW_KEY[group.table]);
  const files = keys.map((k) => quoteLiteral(join(building, 'old', k))).join(', ');
  // Not hive folders: `client` and `date` stay in the key's folder names (LAKE.md, Tables).
  const rows = `SELECT * FROM read_parquet([${files}], union_by_name = true, hive_partitioning = false) QUALIFY row_number() OVER (PARTITION BY ${key} ORDER BY ${key}) = 1`;
  const ids = (await ctx.conn.query(`SELECT CAST(${key} AS VARCHAR) AS k FROM (${rows}) WHERE ${key} IS NOT NULL ORDER BY k`)).rows.map((r) => String(r[0]));
  if (ids.length === 0) return null;
  const name = createHash('sha256').update(`${group.table}\n${ids.join('\n')}`).digest('hex').slice(0, 32);
  const fresh = lakeKey({ table: group.table, client: parseLakeKey(keys[0]!)!.client, date: group.date, batch: name });
  const dest = join(building, 'batches', fresh);
  mkdirSync(join(dest, '..'), { recursive: true, mode: 0o700 });
  await ctx.conn.query(`COPY (SELECT * FROM (${rows}) ORDER BY ${ROW_ORDER[group.table]}) TO ${quoteLiteral(dest)} (FORMAT parquet, COMPRESSION zstd)`);
  return { key: fresh, table: group.table, date: group.date, rows: ids.length, bytes: statSync(dest).size };
}
