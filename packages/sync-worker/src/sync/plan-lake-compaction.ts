/**
 * Which of a series' batches its owner's push merges (LAKE.md, "Compaction"): a pure function of
 * what the push ledger says is live in the lake. No I/O here: push-compaction.ts does it.
 */
import type { TableName } from '@bird/core';

/** A live batch of the series (on the ledger, not withdrawn). */
export interface LiveBatch {
  readonly key: string;
  readonly table: TableName;
  readonly date: string;
  readonly rows: number;
  /** The segment that listed it; null when the ledger does not know (rebuilt from the lake, older birds). */
  readonly seq: number | null;
}

export interface CompactionGroup {
  readonly table: TableName;
  readonly date: string;
  /** The batches to merge, sorted. */
  readonly batches: readonly string[];
  /** The highest segment that listed any of them (the head's number when one is not known). */
  readonly upTo: number;
  readonly rows: number;
}

export interface CompactionLimits {
  /** Groups merged by one push at most. */
  readonly maxGroups: number;
  /** Rows merged by one push at most (the first group is taken whatever its size, so every day is merged some day). */
  readonly maxRows: number;
}

/** Enough for a year of daily pushes to be merged over a few pushes, small enough that a push stays short. */
export const COMPACTION_LIMITS: CompactionLimits = { maxGroups: 64, maxRows: 2_000_000 };

export interface CompactionInput {
  readonly batches: readonly LiveBatch[];
  /** Today, `YYYY-MM-DD` in UTC: this day and yesterday still get rows, and are left alone. */
  readonly today: string;
  /** The series' head before this push's merge: the `upTo` of a group holding a batch of unknown segment. */
  readonly headSeq: number;
  /** The series' range forget (`YYYY-MM-DD` of its cutoff), if any: earlier days' batches are deleted, not merged. */
  readonly forgottenBefore?: string;
  readonly limits?: CompactionLimits;
}

/** The (table, day) groups of two or more live batches of days before yesterday, oldest first, within the limits. */
export function planLakeCompaction(input: CompactionInput): CompactionGroup[] {
  const limits = input.limits ?? COMPACTION_LIMITS;
  const yesterday = new Date(Date.parse(`${input.today}T00:00:00.000Z`) - 86_400_000).toISOString().slice(0, 10);
  const groups = new Map<string, LiveBatch[]>();
  for (const b of input.batches) {
    if (b.date >= yesterday) continue;
    if (input.forgottenBefore !== undefined && b.date < input.forgottenBefore) continue;
    const id = `${b.date}\n${b.table}`;
    const list = groups.get(id) ?? groups.set(id, []).get(id)!;
    if (!list.some((o) => o.key === b.key)) list.push(b);
  }
  const out: CompactionGroup[] = [];
  let rows = 0;
  for (const id of [...groups.keys()].sort()) {
    const list = groups.get(id)!;
    if (list.length < 2) continue;
    const size = list.reduce((n, b) => n + b.rows, 0);
    if (out.length >= limits.maxGroups || (out.length > 0 && rows + size > limits.maxRows)) break;
    rows += size;
    const upTo = list.some((b) => b.seq === null) ? input.headSeq : Math.max(...list.map((b) => b.seq!));
    out.push({ table: list[0]!.table, date: list[0]!.date, batches: list.map((b) => b.key).sort(), upTo, rows: size });
  }
  return out;
}
