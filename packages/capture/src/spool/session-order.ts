// fish has no clock: its commands are dated by their spool file's mtime less their duration,
// and the kernel keeps mtimes to a clock tick (1-4 ms). Two commands that end within one tick
// then come out in the wrong order (a quick `sh -c …` dated before the `echo` that ran first).
import { utcDateOfMicros, type InvocationRow } from '@bird/core';

/**
 * The row with its start moved just after `previousStartUs` (the previous command of the same
 * session this drainer stored) when it would otherwise sort before it; the duration shrinks by
 * as much, the end stays. Only the timestamp moves, by at most a tick: the id was made from the
 * start the hook's data gives, so a redo by a drainer that never saw the previous command
 * writes the same row (same id, same file). A move that would cross midnight UTC (another
 * partition, so another file) is not made.
 */
export function keepSessionOrder(row: InvocationRow, previousStartUs: bigint | undefined): InvocationRow {
  if (previousStartUs === undefined || row.timestamp > previousStartUs) return row;
  const startUs = previousStartUs + 1n;
  if (utcDateOfMicros(startUs) !== row.date) return row;
  const shiftMs = Number((startUs - row.timestamp) / 1000n);
  return { ...row, timestamp: startUs, duration_ms: row.duration_ms === null ? null : Math.max(0, row.duration_ms - shiftMs) };
}
