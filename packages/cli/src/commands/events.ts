import { resolve } from 'node:path';
import { BirdError, quoteLiteral, usageError } from '@bird/core';
import { parseCommand, usageOf } from '../args.ts';
import { COMMAND_SPECS } from '../command-specs.ts';
import { warn, type CliContext } from '../context.ts';
import { commandCondition, takeNewest, type EventsSelection } from '../events/events-selection.ts';
import { listEvents } from '../events/list-events.ts';
import { pathOf, quickfixLine } from '../events/quickfix-line.ts';
import { reparseEvents } from '../events/reparse-events.ts';
import { layoutOf } from '../layout.ts';
import { parseSinceUs } from '../stats/stats-args.ts';
import { defaultTimeZone } from '../stats/zone-clock.ts';
import { connect, MINIMAL } from '../store-access.ts';

/**
 * `bird events [ID | -N] [--severity S] [--since …] [--file PATH] [--reparse]`: the errors,
 * warnings and test results parsed from stored output (@bird/core/events), one
 * `file:line:col: severity: message` line each, as editors' quickfix lists read them: the newest
 * command first, and in a command by file and line.
 */
export async function run(args: string[], ctx: CliContext): Promise<number | void> {
  const taken = takeNewest(args);
  const { values, operands } = parseCommand(COMMAND_SPECS.events, taken.args);
  if (operands[0] !== undefined && taken.newest !== undefined) throw usageError(`give a command's id or -N, not both; usage: ${usageOf(COMMAND_SPECS.events)}`);
  const selection: EventsSelection = {
    id: operands[0],
    newest: taken.newest,
    sinceUs: values.since === undefined ? undefined : parseSinceUs(values.since, new Date(), defaultTimeZone()),
  };
  const layout = layoutOf(ctx);
  let conn = await connect(ctx, MINIMAL);
  try {
    if (selection.id !== undefined) {
      const known = await conn.query(`SELECT count(*) FROM main.invocations WHERE id = ${quoteLiteral(selection.id)}`);
      if (Number(known.rows[0]![0]) === 0) throw new BirdError(`no command with id ${JSON.stringify(selection.id)} is stored here; \`bird sql "SELECT id, cmd FROM main.invocations"\` shows the ids.`);
    }
    if (values.reparse) {
      const done = await reparseEvents(layout, conn, selection);
      for (const why of done.skipped) warn(ctx, `not parsed again: ${why}`);
      ctx.stderr.write(`bird: parsed the output of ${done.commands} command${done.commands === 1 ? '' : 's'} again: ${done.events} event${done.events === 1 ? '' : 's'}.\n`);
      conn = await connect(ctx, MINIMAL);
    }
    let events = await listEvents(conn, commandCondition(selection), values.severity);
    if (values.file !== undefined) {
      const wanted = resolve(ctx.cwd, values.file);
      events = events.filter((e) => e.file === values.file || pathOf(e) === wanted);
    }
    ctx.stdout.write(events.map((e) => `${quickfixLine(e)}\n`).join(''));
  } finally {
    conn.close();
  }
}
