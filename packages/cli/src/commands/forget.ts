import { BirdError, loadConfig, quoteLiteral, usageError } from '@bird/core';
import { parseCommand, usageOf } from '../args.ts';
import { COMMAND_SPECS } from '../command-specs.ts';
import { warn, type CliContext } from '../context.ts';
import { escapeForTerminal } from '../format/text-width.ts';
import { forgetCommands, readStoredCommands } from '../forget/forget-commands.ts';
import { forgetBefore } from '../forget/forget-before.ts';
import { planForget, type StoredCommand } from '../forget/plan-forget.ts';
import { layoutOf, requireRoot } from '../layout.ts';
import { parseSinceUs } from '../stats/stats-args.ts';
import { defaultTimeZone } from '../stats/zone-clock.ts';
import { connect, MINIMAL } from '../store-access.ts';

/**
 * `bird forget ID… | --match PATTERN [--since …] [--before …] | --before DATE [--dry-run] [--json]`: removes this
 * machine's commands (and what hangs off them) from everything stored here, and keeps a
 * tombstone so that nothing brings them back (see packages/store/src/modes/ and core's
 * tombstones.ts).
 */
export async function run(args: string[], ctx: CliContext): Promise<number | void> {
  const spec = COMMAND_SPECS.forget;
  const { values, operands: positionals } = parseCommand(spec, args);
  const match = values.match;
  const now = new Date();
  const zone = defaultTimeZone();
  // Everything before a day: one range forget per series, not a tombstone per command.
  if (positionals.length === 0 && match === undefined && values.before !== undefined && values.since === undefined) {
    return forgetBefore(ctx, parseSinceUs(values.before, now, zone, '--before'), { dryRun: values['dry-run'] === true, json: values.json === true, nowMs: now.getTime() });
  }
  if (positionals.length === 0 && match === undefined) throw usageError(`name what to forget: the commands' ids, --match PATTERN, or --before DATE alone; usage: ${usageOf(spec)}`);
  if (positionals.length > 0 && match !== undefined) throw usageError(`give ids or --match, not both; usage: ${usageOf(spec)}`);
  const sinceUs = values.since === undefined ? undefined : parseSinceUs(values.since, now, zone);
  const beforeUs = values.before === undefined ? undefined : parseSinceUs(values.before, now, zone, '--before');

  const layout = layoutOf(ctx);
  requireRoot(layout, ctx.env);
  const conn = await connect(ctx, MINIMAL);
  let stored: StoredCommand[];
  try {
    stored = await readStoredCommands(conn, positionals.length > 0 ? `WHERE id IN (${[...new Set(positionals)].map(quoteLiteral).join(', ')})` : '');
  } finally {
    conn.close();
  }
  const plan = planForget(stored, { ids: positionals.length > 0 ? positionals : undefined, match, sinceUs, beforeUs });
  const show = (c: StoredCommand) => escapeForTerminal(`${new Date(c.startUs / 1000).toISOString().slice(0, 19).replace('T', ' ')}  ${c.cmd}`);
  // An id asked for by name and not forgotten is a failure, each said; a pattern that also
  // matches teammates' commands is not: one line says how many stay.
  if (match === undefined) for (const t of plan.teammates) ctx.stderr.write(`bird: ${escapeForTerminal(`not forgotten: ${t.id} is ${t.clientId}'s (pulled from ${t.source}); only they can forget it.`)}\n`);
  else if (plan.teammates.length > 0 && !values.json) ctx.stderr.write(`bird: ${plan.teammates.length} matching command${plan.teammates.length === 1 ? " is a teammate's" : "s are teammates'"} (pulled here) and stay${plan.teammates.length === 1 ? 's' : ''}: only they can forget them.\n`);
  const failed = match === undefined && plan.teammates.length > 0 ? 1 : undefined;
  if (plan.unknown.length > 0) throw new BirdError(`no command with id ${plan.unknown.map((id) => JSON.stringify(id)).join(', ')} is stored here; \`bird sql "SELECT id, cmd FROM main.invocations"\` shows the ids.`);
  if (values['dry-run']) {
    if (values.json) ctx.stdout.write(`${JSON.stringify({ forget: plan.forget.map((c) => ({ id: c.id, cmd: c.cmd })), notYours: plan.teammates.map((c) => c.id) })}\n`);
    else for (const c of plan.forget) ctx.stdout.write(`would forget ${show(c)}\n`);
    if (!values.json && plan.forget.length === 0) ctx.stdout.write('nothing to forget.\n');
    return failed;
  }
  if (plan.forget.length === 0) {
    // A forget killed after its rows went and run again finds none: what it left is finished here.
    const { storageModeOf, sweepBlobsOfStore } = await import('@bird/store');
    await storageModeOf(layout, loadConfig(layout)).remove([]);
    await sweepBlobsOfStore(layout, (message) => warn(ctx, message));
    if (!values.json) ctx.stdout.write('nothing to forget.\n');
    else ctx.stdout.write(`${JSON.stringify({ forgot: 0, notYours: plan.teammates.map((c) => c.id) })}\n`);
    return failed;
  }
  const removed = await forgetCommands(layout, ctx.env, plan.forget, now);
  if (values.json) ctx.stdout.write(`${JSON.stringify({ forgot: plan.forget.length, rows: removed.rows, notYours: plan.teammates.map((c) => c.id) })}\n`);
  else {
    const sessions = removed.rows.sessions > 0 ? ` and ${removed.rows.sessions} session${removed.rows.sessions === 1 ? '' : 's'} left empty` : '';
    ctx.stdout.write(`forgot ${plan.forget.length} command${plan.forget.length === 1 ? '' : 's'}${sessions}; they stay forgotten on this machine.\n`);
  }
  return failed;
}
