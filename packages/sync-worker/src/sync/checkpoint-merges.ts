/**
 * Which merged batches a checkpoint says are merges (`replaces`, `upTo`), so that a puller behind
 * both the merge and the checkpoint, who took every replaced batch, skips the merged one as it
 * would have from the merge segment (LAKE.md, "Checkpoints"). Pure: push-checkpoint.ts reads the
 * segments from the series' last checkpoint on and passes their entries here.
 */
import { MAX_INDEX_OBJECT_BYTES, type SegmentBatch } from '@bird/remote';

export interface MergeNote {
  readonly replaces: readonly string[];
  readonly upTo: number;
}

/**
 * Replaced keys a checkpoint carries at most, in bytes of their JSON: a quarter of what a reader
 * takes of an index object, so that a year of merges of a busy series never makes the checkpoint
 * too large to read (every reader would then list the series' folders instead).
 */
export const CARRIED_REPLACES_BYTES = MAX_INDEX_OBJECT_BYTES / 4;

/**
 * For each batch the checkpoint lists (`live`), the `replaces` and `upTo` of the last entry of
 * `read` (in segment order) that named it a merge. Past the budget, the most recent merges
 * (highest `upTo`) are kept; another is listed plainly, and a reader behind it fetches it (which
 * stores no row twice).
 */
export function mergesToCarry(read: readonly SegmentBatch[], live: ReadonlySet<string>, budget = CARRIED_REPLACES_BYTES): Map<string, MergeNote> {
  const last = new Map<string, MergeNote>();
  for (const b of read) if (b.replaces !== undefined && b.upTo !== undefined && live.has(b.key)) last.set(b.key, { replaces: b.replaces, upTo: b.upTo });
  const byRecency = [...last].sort(([ka, a], [kb, b]) => b.upTo - a.upTo || (ka < kb ? -1 : ka > kb ? 1 : 0));
  const out = new Map<string, MergeNote>();
  let left = budget;
  for (const [key, note] of byRecency) {
    const size = JSON.stringify(note.replaces).length;
    if (size > left) continue;
    left -= size;
    out.set(key, note);
  }
  return out;
}
