/**
 * `bird forget --before DATE` with no ids and no --match: every command of this machine that
 * started before DATE, as one range forget per series it stores (core's tombstones.ts), not a
 * tombstone per command: forgetting a million commands writes a line per series.
 */
import { forgotten, furtherRanges, hasTombstones, instantMicros, loadConfig, noteRangesRemoved, settleClientId, unfinishedRanges, usageError, writeRangeTombstones } from '@bird/core';
import type { CliContext } from '../context.ts';
import { layoutOf, requireRoot } from '../layout.ts';
import { connect, MINIMAL } from '../store-access.ts';

export interface ForgetBeforeOptions {
  readonly dryRun: boolean;
  readonly json: boolean;
  readonly nowMs: number;
}

export async function forgetBefore(ctx: CliContext, beforeUs: number, options: ForgetBeforeOptions): Promise<number | void> {
  // A cutoff to come would keep out every command captured until then, not only old ones.
  if (beforeUs > options.nowMs * 1000) throw usageError('--before names a time still to come; give a day or a duration in the past (`--before 30d`, `--before 2024-06-01`).');
  const before = new Date(Math.floor(beforeUs / 1000)).toISOString();
  const shown = `${before.slice(0, 19).replace('T', ' ')} UTC`;
  const layout = layoutOf(ctx);
  requireRoot(layout, ctx.env);
  const conn = await connect(ctx, MINIMAL);
  let series: string[];
  let older = 0;
  try {
    const { rows } = await conn.query(`SELECT client_id, count(*) FILTER (WHERE "timestamp" < make_timestamptz(${instantMicros(before)}::BIGINT)) FROM local.invocations WHERE client_id IS NOT NULL GROUP BY 1 ORDER BY 1`);
    series = rows.map((r) => String(r[0]));
    older = rows.reduce((n, r) => n + Number(r[1]), 0);
  } finally {
    conn.close();
  }
  const s = (n: number) => (n === 1 ? '' : 's');
  if (options.dryRun) {
    if (options.json) ctx.stdout.write(`${JSON.stringify({ forget: older, before })}\n`);
    else ctx.stdout.write(older === 0 ? `nothing stored here started before ${shown}.\n` : `would forget ${older} command${s(older)} that started before ${shown}.\n`);
    return;
  }
  // Every series this machine stores, and the one it captures into now (an import of an old
  // history file would go there): the tombstones first, durably, then the rows.
  const self = await settleClientId(layout, ctx.env);
  const known = hasTombstones(layout) ? forgotten(layout) : null;
  const fresh = furtherRanges(known, [self, ...series], before, { at: new Date(options.nowMs).toISOString(), by: self, why: 'forget' });
  if (fresh.length > 0) writeRangeTombstones(layout, fresh);
  // With what earlier forgets cut short left (nothing, most times).
  const pending = unfinishedRanges(layout);
  const { storageModeOf } = await import('@bird/store');
  const removed = await storageModeOf(layout, loadConfig(layout)).remove([], pending);
  noteRangesRemoved(layout, pending);
  const n = removed.rows.invocations;
  if (options.json) ctx.stdout.write(`${JSON.stringify({ forgot: n, before, rows: removed.rows })}\n`);
  else ctx.stdout.write(`forgot ${n} command${s(n)} that started before ${shown}; older ones stay forgotten on this machine.\n`);
}
