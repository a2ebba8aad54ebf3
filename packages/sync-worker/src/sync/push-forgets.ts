// What this store forgot of one of its series goes to the lake: the series' batches that hold a
// forgotten command are written again without it (new content, so new names), and one push lists
// the new batches, withdraws the old ones and names the forgotten ids; once its head is in place
// the old objects are deleted (push.ts, commitLocally). Staged and uploaded like any push, so it
// lands exactly once under kill -9. PROTOCOL.md, "Forgetting".
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROW_KEY, forgotten, hasTombstones, instantMicros, quoteIdent, quoteLiteral, writeFileAtomic, type TableName } from '@bird/core';
import { RemoteAccessError, lakeKey, parseLakeKey, segmentDoc, type SegmentBatch } from '@bird/remote';
import { batchesHangingOff, batchesHolding } from './ledger.ts';
import { listSeriesBatches } from './series-index.ts';
import { newToken, type SeriesContext } from './series-rebuild.ts';
import { addLines, readLineSet, seriesLedgerFiles, type SeriesPaths } from './sync-state.ts';

/** The forgotten commands of `series` that no push has carried to the lake yet. */
export function forgetsToCarry(ctx: SeriesContext, series: SeriesPaths): string[] {
  if (!hasTombstones(ctx.layout)) return [];
  const carried = readLineSet(series.carriedForgets);
  return forgotten(ctx.layout)
    .all.filter((t) => t.series === series.client && !carried.has(t.id))
    .map((t) => t.id);
}

/**
 * Stages `outbox/<seq>/` for what was forgotten; false when there is nothing to carry. The
 * invocations' batches that hold the commands are written again without them, and so are the
 * outputs' and events' batches that hold what they printed and what that said (an inline output
 * is its text, an event quotes it: a redacted secret must not stay in the lake). Sessions go with
 * them in every puller's cache (their remove takes what hangs off a command).
 */
export async function stageForgets(ctx: SeriesContext, series: SeriesPaths, seq: number, forgottenIds: readonly string[]): Promise<boolean> {
  const table: TableName = 'invocations';
  // Only what was pushed has anything to withdraw: the rest is simply noted as carried.
  const ids = await pushedOf(ctx, series, table, forgottenIds);
  const notPushed = forgottenIds.filter((id) => !ids.includes(id));
  if (notPushed.length > 0) addLines(series.carriedForgets, notPushed);
  if (ids.length === 0) return false;
  const withdrawnBefore = readLineSet(series.withdrawn);
  const placed = await batchesHolding(ctx.conn, series, table, ids);
  let holding = placed.batches.filter((k) => !withdrawnBefore.has(k));
  if (placed.unplaced.length > 0) {
    // Pushed by a bird whose ledger kept no batch keys: the series' own batches are looked through.
    holding = [...new Set([...holding, ...(await lookThrough(ctx, series, table, placed.unplaced, withdrawnBefore))])];
  }
  for (const hanging of ['outputs', 'events'] as const) {
    const more = (await batchesHangingOff(ctx.conn, series, hanging, ids)).filter((k) => !withdrawnBefore.has(k) && !holding.includes(k));
    holding = [...holding, ...more];
  }
  const building = join(series.outbox, `.${seq}.${process.pid}`);
  rmSync(building, { recursive: true, force: true });
  mkdirSync(join(building, 'old'), { recursive: true, mode: 0o700 });
  const batches: SegmentBatch[] = [];
  const key = quoteIdent(ROW_KEY[table]);
  const forgottenList = ids.map(quoteLiteral).join(', ');
  const gone = new Set<string>();
  for (const old of holding) {
    const oldTable = parseLakeKey(old)?.table;
    const hangsOff = oldTable === 'outputs' || oldTable === 'events';
    const local = join(building, 'old', old);
    try {
      await ctx.backend.get(old, local);
    } catch (error) {
      // Withdrawn and deleted by an earlier push whose note of it here was lost (withdrawn.txt
      // deleted or cut short): nothing of it is left to rewrite or to withdraw.
      if (!(error instanceof RemoteAccessError && error.failure === 'missing-object')) throw error;
      gone.add(old);
      continue;
    }
    const keep = hangsOff ? `invocation_id NOT IN (${forgottenList}) OR invocation_id IS NULL` : `${key} NOT IN (${forgottenList}) OR ${key} IS NULL`;
    const fresh = await rewriteBatch(ctx, building, old, local, keep);
    if (fresh !== null) batches.push(fresh); // null: every row of it forgotten, withdrawn with nothing in its place
  }
  rmSync(join(building, 'old'), { recursive: true, force: true });
  writeFileAtomic(join(building, 'segment.json'), `${JSON.stringify(segmentDoc(series.client, seq, newToken(), batches, { withdrawn: holding.filter((k) => !gone.has(k)), forgotten: ids }))}\n`, { mode: 0o600 });
  renameSync(building, join(series.outbox, String(seq)));
  return true;
}

/**
 * Writes batch `old` (downloaded to `local`) again with only the rows `keep` (SQL over a row of
 * it) holds, into `building/batches/`, named from its keys as every batch is. Null when no row is
 * kept: the batch is withdrawn with nothing in its place.
 */
export async function rewriteBatch(ctx: SeriesContext, building: string, old: string, local: string, keep: string): Promise<SegmentBatch | null> {
  const parsed = parseLakeKey(old);
  if (parsed === null) return null;
  const key = quoteIdent(ROW_KEY[parsed.table]);
  // The copy sits at the batch's key, `client=…/date=…`: read as hive folders, those two would go
  // into the new file as columns, which the lake keeps in folder names only (LAKE.md, Tables).
  const rows = `SELECT * FROM read_parquet(${quoteLiteral(local)}, hive_partitioning = false) WHERE coalesce(${keep}, false)`;
  const keys = (await ctx.conn.query(`SELECT CAST(${key} AS VARCHAR) AS k FROM (${rows}) WHERE ${key} IS NOT NULL ORDER BY k`)).rows.map((r) => String(r[0]));
  if (keys.length === 0) return null;
  const name = createHash('sha256').update(`${parsed.table}\n${keys.join('\n')}`).digest('hex').slice(0, 32);
  const fresh = lakeKey({ table: parsed.table, client: parsed.client, date: parsed.date, batch: name });
  const dest = join(building, 'batches', fresh);
  mkdirSync(join(dest, '..'), { recursive: true, mode: 0o700 });
  await ctx.conn.query(`COPY (${rows}) TO ${quoteLiteral(dest)} (FORMAT parquet, COMPRESSION zstd)`);
  return { key: fresh, table: parsed.table, date: parsed.date, rows: keys.length, bytes: statSync(dest).size };
}

/** The series' batches of `table` (not withdrawn) that hold any of `ids`, found by reading each. */
async function lookThrough(ctx: SeriesContext, series: SeriesPaths, table: TableName, ids: readonly string[], withdrawn: ReadonlySet<string>): Promise<string[]> {
  const dir = join(ctx.paths.scratch, `look-${series.client}`);
  rmSync(dir, { recursive: true, force: true });
  const key = quoteIdent(ROW_KEY[table]);
  const out: string[] = [];
  try {
    for (const b of await listSeriesBatches(ctx.backend, series.client)) {
      if (b.table !== table || withdrawn.has(b.key)) continue;
      const local = join(dir, b.key);
      await ctx.backend.get(b.key, local);
      const hit = await ctx.conn.query(`SELECT count(*) FROM read_parquet(${quoteLiteral(local)}) WHERE ${key} IN (${ids.map(quoteLiteral).join(', ')})`);
      if (Number(hit.rows[0]?.[0] ?? 0) > 0) out.push(b.key);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}


/** Which of `ids` the series' ledger holds (pushed to this remote). */
async function pushedOf(ctx: SeriesContext, series: SeriesPaths, table: TableName, ids: readonly string[]): Promise<string[]> {
  const files = seriesLedgerFiles(series, table);
  if (files.length === 0 || ids.length === 0) return [];
  const held = await ctx.conn.query(`SELECT DISTINCT "key" FROM read_parquet([${files.map(quoteLiteral).join(', ')}], union_by_name = true) WHERE "key" IN (${ids.map(quoteLiteral).join(', ')}) ORDER BY 1`);
  return held.rows.map((r) => String(r[0]));
}

/**
 * A condition over a row `t` of `table` that keeps out what this store forgot of `series`: a
 * forget cut short after its tombstones and before its rows went leaves them stored here, and a
 * push meanwhile must not upload them. Null when the series forgot nothing. The ids go through a
 * file in the push's scratch folder, however many there are.
 */
export function keptOutOfPush(ctx: SeriesContext, series: SeriesPaths): ((table: TableName) => string) | null {
  if (!hasTombstones(ctx.layout)) return null;
  const known = forgotten(ctx.layout);
  const ids = known.all.filter((t) => t.series === series.client).map((t) => t.id);
  const range = known.rangeOf(series.client);
  if (ids.length === 0 && range === undefined) return null;
  const byId = forgottenIdsSql(ctx, series, ids);
  const before = range === undefined ? null : `make_timestamptz(${instantMicros(range.before)}::BIGINT)`;
  const commandsGone = `(SELECT id FROM local.invocations WHERE client_id = ${quoteLiteral(series.client)} AND (id IN ${byId}${before ? ` OR "timestamp" < ${before}` : ''}))`;
  return (table) => {
    switch (table) {
      case 'invocations':
        return `NOT (coalesce(t.id IN ${byId}, false)${before ? ` OR coalesce(t."timestamp" < ${before}, false)` : ''})`;
      case 'outputs':
      case 'events':
        return `NOT coalesce(t.invocation_id IN ${commandsGone}, false)`;
      case 'sessions':
        return 'true'; // a session holds no command's text; one left empty is removed with its commands
    }
  };
}

/** A relation of `ids` (commands of `series`), through a file in the push's scratch folder however many they are. */
export function forgottenIdsSql(ctx: SeriesContext, series: SeriesPaths, ids: readonly string[]): string {
  const file = join(ctx.paths.scratch, `forgotten-${createHash('sha256').update(series.client).digest('hex').slice(0, 16)}.csv`);
  writeFileAtomic(file, `id\n${ids.map((id) => `${id}\n`).join('')}`, { mode: 0o600 }); // ids are plain (COMMAND_ID): no quoting needed
  return `(SELECT id FROM read_csv(${quoteLiteral(file)}, header = true, columns = {'id': 'VARCHAR'}))`;
}
