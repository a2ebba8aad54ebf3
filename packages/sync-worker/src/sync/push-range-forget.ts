// What this store forgot of one of its series before a cutoff (a retention, `bird forget
// --before`) goes to the lake as one push: its segment says `forgottenBefore`, and the series'
// batches of the cutoff's own day that held such commands (and their outputs and events) are
// written again without them and withdrawn, as an id forget's are. The batches of earlier days
// hold nothing else: once the head names the segment they are deleted (deleteBatchesBefore, from
// commitLocally), and pullers fetch none of them from then on. Staged and uploaded like any push,
// so it lands exactly once under kill -9. PROTOCOL.md, "Forgetting".
import { mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import PQueue from 'p-queue';
import { checkInstant, forgotten, hasTombstones, instantMicros, quoteLiteral, writeFileAtomic } from '@bird/core';
import { segmentDoc, type SegmentBatch } from '@bird/remote';
import { rewriteBatch } from './push-forgets.ts';
import { listSeriesBatches } from './series-index.ts';
import { TRANSFER_CONCURRENCY, newToken, type SeriesContext } from './series-rebuild.ts';
import { readLineSet, type SeriesPaths } from './sync-state.ts';

/** The series' furthest range forget kept here, when no push has carried it to this lake yet; else null. */
export function rangeToCarry(ctx: SeriesContext, series: SeriesPaths): string | null {
  if (!hasTombstones(ctx.layout)) return null;
  const range = forgotten(ctx.layout).rangeOf(series.client);
  if (range === undefined) return null;
  const carried = readCarriedBefore(series);
  return carried !== null && instantMicros(carried) >= instantMicros(range.before) ? null : range.before;
}

/** Notes that a push carried the series' range forget up to `before` (called once its head is in place). */
export function noteRangeCarried(series: SeriesPaths, before: string): void {
  writeFileAtomic(series.carriedBefore, `${before}\n`, { mode: 0o600 });
}

/** The range forget a push carried to this lake, or null. */
export function readCarriedBefore(series: SeriesPaths): string | null {
  try {
    return checkInstant(readFileSync(series.carriedBefore, 'utf8').trim());
  } catch {
    // missing or unreadable: the range is carried again, which changes nothing a second time
    return null;
  }
}

/** Stages `outbox/<seq>/`: the segment that carries `before`, and the cutoff day's batches written again without what it takes. */
export async function stageRangeForget(ctx: SeriesContext, series: SeriesPaths, seq: number, before: string): Promise<void> {
  const building = join(series.outbox, `.${seq}.${process.pid}`);
  rmSync(building, { recursive: true, force: true });
  mkdirSync(join(building, 'old'), { recursive: true, mode: 0o700 });
  const batches: SegmentBatch[] = [];
  const withdrawn: string[] = [];
  const day = before.slice(0, 10);
  // A cutoff at midnight splits no day: the day's batches hold only commands it keeps.
  if (!before.endsWith('T00:00:00.000Z')) {
    const gone = readLineSet(series.withdrawn);
    // Commands first: the outputs and events that go are those of the commands that go.
    const order = ['invocations', 'outputs', 'events'];
    const cutDay = (await listSeriesBatches(ctx.backend, series.client)).filter((b) => b.date === day && order.includes(b.table) && !gone.has(b.key)).sort((a, b) => order.indexOf(a.table) - order.indexOf(b.table));
    const cutoff = `make_timestamptz(${instantMicros(before)}::BIGINT)`;
    const commands: string[] = [];
    for (const b of cutDay) {
      const local = join(building, 'old', b.key);
      await ctx.backend.get(b.key, local);
      let keep: string;
      if (b.table === 'invocations') {
        commands.push(local);
        keep = `NOT ("timestamp" < ${cutoff})`;
      } else {
        if (commands.length === 0) continue; // no command of that day to take theirs with
        keep = `invocation_id NOT IN (SELECT id FROM read_parquet([${commands.map(quoteLiteral).join(', ')}], union_by_name = true) WHERE "timestamp" < ${cutoff} AND id IS NOT NULL) OR invocation_id IS NULL`;
      }
      const changed = await ctx.conn.query(`SELECT count(*) FROM read_parquet(${quoteLiteral(local)}) WHERE NOT coalesce(${keep}, false)`);
      if (Number(changed.rows[0]?.[0] ?? 0) === 0) continue; // nothing of it goes: it stays as it is
      const fresh = await rewriteBatch(ctx, building, b.key, local, keep);
      withdrawn.push(b.key);
      if (fresh !== null) batches.push(fresh);
    }
  }
  rmSync(join(building, 'old'), { recursive: true, force: true });
  writeFileAtomic(join(building, 'segment.json'), `${JSON.stringify(segmentDoc(series.client, seq, newToken(), batches, { withdrawn, forgottenBefore: before }))}\n`, { mode: 0o600 });
  renameSync(building, join(series.outbox, String(seq)));
}

/**
 * Deletes the series' batches of days before `before`'s (every command in them started before
 * it), once a head names the segment that carries it. Run again after a crash, it deletes what is
 * left; a listing finds them, so a series of years of pushes needs no list kept anywhere.
 */
export async function deleteBatchesBefore(ctx: SeriesContext, series: SeriesPaths, before: string): Promise<number> {
  const day = before.slice(0, 10);
  const old = (await listSeriesBatches(ctx.backend, series.client)).filter((b) => b.date < day);
  const queue = new PQueue({ concurrency: TRANSFER_CONCURRENCY });
  await Promise.all(old.map((b) => queue.add(() => ctx.backend.remove(b.key))));
  return old.length;
}
