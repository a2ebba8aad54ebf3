/**
 * How the owner of a series rewrites its index from what the lake really holds (PROTOCOL.md,
 * "Repair"). Pure: the segments found and the batches listed in, the objects to write out.
 *
 * Readers number their cursors by segment, so numbers never move: a segment that is missing,
 * unreadable or names a batch that is not there is rewritten in place with only the batches that
 * are; batches no segment names (a push whose segment was overwritten or lost) go into one new
 * segment after the last, where every reader's cursor still has to pass.
 *
 * Repair owns a segment's batch list and nothing else: a rewritten segment is the segment as the
 * reader parsed it with only `batches` changed, so what later formats add (merged batches'
 * `replaces`/`upTo`, withdrawals, tombstones, checkpoints) passes through by construction.
 */
import type { LogSegment, SegmentBatch } from '@bird/remote';

export interface FoundSegment {
  readonly seq: number;
  /** The segment as the reader checked it (parseSegment); null: it could not be read (missing or damaged). */
  readonly segment: LogSegment | null;
}

/** A segment to write: its number and its content less the token (the writer's own). */
export type RewrittenSegment = Omit<LogSegment, 'token'>;

export interface RepairPlan {
  /** Segments to write, in order of number. */
  readonly rewrite: readonly RewrittenSegment[];
  /** The number the head names afterwards. */
  readonly headSeq: number;
  /** The checkpoint the head names afterwards: the last one that stands. */
  readonly checkpoint?: number;
  readonly orphans: number;
}

/** A log may have holes to fill, but not a billion: a number that far out is not a segment bird wrote. */
const MAX_HOLES = 100_000;

export function planIndexRepair(client: string, found: readonly FoundSegment[], listed: readonly SegmentBatch[]): RepairPlan {
  const present = new Set(listed.map((b) => b.key));
  const bySeq = new Map(found.map((f) => [f.seq, f]));
  let last = 0;
  for (const f of found) if (f.seq > last && f.seq <= found.length + MAX_HOLES) last = f.seq;
  // The segments before the last readable checkpoint are deleted by design: they are no holes.
  let checkpoint: number | undefined;
  for (const f of found) if (f.seq <= last && f.segment?.checkpoint && f.seq > (checkpoint ?? 0)) checkpoint = f.seq;
  const rewrite: RewrittenSegment[] = [];
  const named = new Set<string>();
  // Withdrawn batches (forgets, merges) wait for their owner to delete them: no reader is to fetch them again.
  const withdrawn = new Set<string>();
  const note = (segment: LogSegment) => {
    for (const b of segment.batches) if (present.has(b.key)) named.add(b.key);
    for (const k of segment.withdrawn ?? []) withdrawn.add(k);
    for (const b of segment.batches) for (const k of b.replaces ?? []) withdrawn.add(k);
  };
  for (const f of found) if (f.segment !== null && f.seq < (checkpoint ?? 1)) note(f.segment);
  for (let seq = checkpoint ?? 1; seq <= last; seq++) {
    const segment = bySeq.get(seq)?.segment ?? null;
    if (segment !== null && segment.batches.every((b) => present.has(b.key))) {
      note(segment);
      continue;
    }
    // A checkpoint lists every live batch again, named before or not; any other segment only what no earlier one named.
    const kept = (segment?.batches ?? []).filter((b) => present.has(b.key) && (segment?.checkpoint || !named.has(b.key)));
    const { token: _token, ...rest } = segment ?? { version: 1, client, seq, batches: [] };
    const rewritten = { ...rest, batches: kept };
    note(rewritten);
    rewrite.push(rewritten);
  }
  const at = checkpoint !== undefined ? { checkpoint } : {};
  const orphans = listed.filter((b) => !named.has(b.key) && !withdrawn.has(b.key));
  if (orphans.length === 0) return { rewrite, headSeq: last, ...at, orphans: 0 };
  return { rewrite: [...rewrite, { version: 1, client, seq: last + 1, batches: orphans }], headSeq: last + 1, ...at, orphans: orphans.length };
}
