/**
 * How the owner of a series rewrites its index from what the lake really holds (PROTOCOL.md,
 * "Repair"). Pure: the segments found and the batches listed in, the objects to write out.
 *
 * Readers number their cursors by segment, so numbers never move: a segment that is missing,
 * unreadable or names a batch that is not there is rewritten in place with only the batches that
 * are; batches no segment names (a push whose segment was overwritten or lost) go into one new
 * segment after the last, where every reader's cursor still has to pass.
 */
import type { SegmentBatch } from '@bird/remote';

export interface FoundSegment {
  readonly seq: number;
  /** null: the segment could not be read (missing or damaged). */
  readonly batches: readonly SegmentBatch[] | null;
}

export interface RepairPlan {
  /** Segments to write, in order of number. */
  readonly rewrite: { readonly seq: number; readonly batches: readonly SegmentBatch[] }[];
  /** The number the head names afterwards. */
  readonly headSeq: number;
  readonly orphans: number;
}

/** A log may have holes to fill, but not a billion: a number that far out is not a segment bird wrote. */
const MAX_HOLES = 100_000;

export function planIndexRepair(found: readonly FoundSegment[], listed: readonly SegmentBatch[]): RepairPlan {
  const present = new Set(listed.map((b) => b.key));
  const bySeq = new Map(found.map((f) => [f.seq, f]));
  let last = 0;
  for (const f of found) if (f.seq > last && f.seq <= found.length + MAX_HOLES) last = f.seq;
  const rewrite: { seq: number; batches: readonly SegmentBatch[] }[] = [];
  const named = new Set<string>();
  for (let seq = 1; seq <= last; seq++) {
    const f = bySeq.get(seq);
    const batches = f?.batches ?? null;
    if (batches !== null && batches.every((b) => present.has(b.key))) {
      for (const b of batches) named.add(b.key);
      continue;
    }
    const kept = (batches ?? []).filter((b) => present.has(b.key) && !named.has(b.key));
    for (const b of kept) named.add(b.key);
    rewrite.push({ seq, batches: kept });
  }
  const orphans = listed.filter((b) => !named.has(b.key));
  if (orphans.length === 0) return { rewrite, headSeq: last, orphans: 0 };
  return { rewrite: [...rewrite, { seq: last + 1, batches: orphans }], headSeq: last + 1, orphans: orphans.length };
}
