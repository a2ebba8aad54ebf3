// `[retention] max_age_days`, at compaction (bird-sync's, `bird compact`, the drainer's): this
// machine's commands older than that are forgotten by one range forget per series it stores
// (core's tombstones.ts), written only when the cutoff moves on, which is once a UTC day. Range
// forgets whose removal was cut short (a forget, a pull or a retention killed halfway) are
// finished here too. What each mode must do for it is in RetentionIO.
import { forgotten, furtherRanges, hasTombstones, noteRangesRemoved, resolveClientId, unfinishedRanges, writeRangeTombstones, type BirdConfig, type BirdLayout, type TableName } from '@bird/core';
import { emptyCounts } from './remove.ts';
import type { RemoveResult, SeriesCutoff } from './storage-mode.ts';

const DAY_MS = 86_400_000;

export interface RetentionIO {
  /** The client ids of this machine's own commands that started before `before`. */
  localSeriesBefore(before: string): Promise<string[]>;
  /** The mode's remove of every command of these series before their cutoffs. */
  remove(ranges: readonly SeriesCutoff[]): Promise<RemoveResult>;
}

export interface RetentionOutcome {
  /** The cutoff a retention wrote now; absent when none was due (a removal cut short was finished). */
  readonly before?: string;
  /** Rows removed, by table. */
  readonly rows: Readonly<Record<TableName, number>>;
}

/**
 * The cutoff `[retention] max_age_days = days` asks for at `nowMs`: the start of the UTC day
 * `days` days before today's. Whole days, so that it moves once a day (one tombstone a day, not
 * one per compaction) and takes whole partitions (no file is rewritten for a boundary).
 */
export function retentionCutoff(nowMs: number, days: number): string {
  return new Date((Math.floor(nowMs / DAY_MS) - days) * DAY_MS).toISOString();
}

/**
 * Applies the retention, and finishes range forgets cut short. Returns null when there was
 * nothing to do: then it read the tombstones folder and nothing else.
 */
export async function applyRetention(layout: BirdLayout, config: BirdConfig, io: RetentionIO, nowMs: number, env: NodeJS.ProcessEnv = process.env): Promise<RetentionOutcome | null> {
  let written: string | undefined;
  const days = config.retention.max_age_days;
  if (days !== undefined) {
    const cutoff = retentionCutoff(nowMs, days);
    const self = resolveClientId(env, config.client_id);
    const known = hasTombstones(layout) ? forgotten(layout) : null;
    const note = { at: new Date(nowMs).toISOString(), by: self, why: 'retention' } as const;
    // Due when this machine's own series is not forgotten that far yet: then every series it stores is.
    if (furtherRanges(known, [self], cutoff, note).length > 0) {
      writeRangeTombstones(layout, furtherRanges(known, [self, ...(await io.localSeriesBefore(cutoff))], cutoff, note));
      written = cutoff;
    }
  }
  const pending = hasTombstones(layout) ? unfinishedRanges(layout) : [];
  if (pending.length === 0) return written === undefined ? null : { before: written, rows: emptyCounts() };
  const removed = await io.remove(pending);
  noteRangesRemoved(layout, pending);
  return { ...(written === undefined ? {} : { before: written }), rows: removed.rows };
}
