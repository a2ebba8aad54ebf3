// Checkpoint segments: so that a newcomer reads a handful of index objects per series, not one per
// push, the owner writes every CHECKPOINT_EVERY segments one that lists every live batch of its
// series, the head names it, and the segments before it are deleted. Staged and committed as
// every push is (push.ts); its batches are in the lake already, so none is uploaded.
// LAKE.md, "Checkpoints"; PROTOCOL.md, "Checkpoint push".
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TABLE_NAMES, writeFileAtomic } from '@bird/core';
import { segmentDoc, segmentKey, type SegmentBatch } from '@bird/remote';
import { mergesToCarry } from './checkpoint-merges.ts';
import { ledgerBatches } from './ledger.ts';
import { readFrom } from './plan-sync.ts';
import { readCarriedBefore } from './push-range-forget.ts';
import { listSeriesBatches, listSegmentNumbers, readLog } from './series-index.ts';
import { newToken, type SeriesContext } from './series-rebuild.ts';
import { readLineSet, type SeriesPaths } from './sync-state.ts';

/** Segments between checkpoints: a newcomer reads at most about this many per series. */
export const CHECKPOINT_EVERY = 64;

/** True when the series' head is CHECKPOINT_EVERY segments past its last checkpoint (or its start). */
export function checkpointDue(headSeq: number, lastCheckpoint: number | undefined, every = CHECKPOINT_EVERY): boolean {
  return headSeq - (lastCheckpoint ?? 0) >= every;
}

/**
 * Stages checkpoint `seq`: every batch the series' folders hold that this store did not withdraw
 * (the lake's listing is the truth of what is there), each with the segment the ledger says first
 * listed it (left out when not known: a reader then fetches it, and stores nothing twice), a
 * merged one with the `replaces` and `upTo` its segment gave it (mergesToCarry), and every
 * forgotten id and the furthest range this store carried to the lake.
 *
 * Those come from the lake, read as every puller reads it, from the last checkpoint (`last`, which
 * carried the older ones) to the head: its segments are deleted only once the head names this
 * one, so a kill before that stages the same again. A segment that cannot be read ends the read
 * there: the merges after it are listed plainly (fetched by a reader behind them).
 */
export async function stageCheckpoint(ctx: SeriesContext, series: SeriesPaths, seq: number, last: number | undefined): Promise<void> {
  const withdrawn = readLineSet(series.withdrawn);
  const known = new Map<string, { rows: number; seq: number | null }>();
  for (const table of TABLE_NAMES) for (const b of await ledgerBatches(ctx.conn, series, table)) known.set(b.key, b);
  const listed = (await listSeriesBatches(ctx.backend, series.client)).filter((b) => !withdrawn.has(b.key));
  const log = await readLog(ctx.backend, series.client, readFrom(0, last), seq - 1, ctx.paths.scratch);
  const merges = mergesToCarry(log.batches, new Set(listed.map((b) => b.key)));
  const batches: SegmentBatch[] = listed.map(({ client: _c, ...b }) => {
    const ledger = known.get(b.key);
    return { ...b, rows: ledger?.rows ?? 0, ...merges.get(b.key), ...(ledger?.seq != null && ledger.seq < seq ? { seq: ledger.seq } : {}) };
  });
  const before = readCarriedBefore(series);
  const building = join(series.outbox, `.${seq}.${process.pid}`);
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true, mode: 0o700 });
  const doc = segmentDoc(series.client, seq, newToken(), batches, { forgotten: [...readLineSet(series.carriedForgets)].sort(), ...(before !== null ? { forgottenBefore: before } : {}), checkpoint: true });
  writeFileAtomic(join(building, 'segment.json'), `${JSON.stringify(doc)}\n`, { mode: 0o600 });
  renameSync(building, join(series.outbox, String(seq)));
}

/** Deletes the series' segments before checkpoint `k` (again after a kill: deleting what is gone changes nothing). */
export async function deleteSegmentsBefore(ctx: SeriesContext, client: string, k: number): Promise<void> {
  for (const n of await listSegmentNumbers(ctx.backend, client)) if (n < k) await ctx.backend.remove(segmentKey(client, n));
}
