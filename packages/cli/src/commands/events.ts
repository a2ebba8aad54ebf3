import { resolve } from 'node:path';
import { BirdError, quoteLiteral, usageError } from '@bird/core';
import { parseCommand, usageOf } from '../args.ts';
import { COMMAND_SPECS } from '../command-specs.ts';
import { warn, type CliContext } from '../context.ts';
import { commandCondition, takeNewest, type EventsSelection } from '../events/events-selection.ts';
import { pathOf, quickfixLine, type ListedEvent } from '../events/quickfix-line.ts';
import { reparseEvents } from '../events/reparse-events.ts';
import { layoutOf } from '../layout.ts';
import { parseSinceUs } from '../stats/stats-args.ts';
import { defaultTimeZone } from '../stats/zone-clock.ts';
import { connect, MINIMAL } from '../store-access.ts';

const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
const int = (v: unknown) => (v === null || v === undefined || !Number.isFinite(Number(v)) ? null : Number(v));

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
    const severity = values.severity === undefined ? '' : ` AND e.severity = ${quoteLiteral(values.severity)}`;
    const result = await conn.query(
      `SELECT DISTINCT e.kind, e.severity, e.ref_file, e.ref_line, e.ref_column, e.message, e.code, e.test_name, e.status, i.cwd, i."timestamp", i.id
       FROM main.events e JOIN main.invocations i ON i.id = e.invocation_id
       WHERE ${commandCondition(selection)}${severity}
       ORDER BY i."timestamp" DESC, i.id, e.kind, e.ref_file NULLS FIRST, e.ref_line NULLS FIRST, e.ref_column NULLS FIRST, e.test_name, e.message`,
    );
    let events: ListedEvent[] = result.rows.map((r) => ({
      kind: text(r[0]),
      severity: text(r[1]),
      file: text(r[2]),
      line: int(r[3]),
      column: int(r[4]),
      message: text(r[5]),
      code: text(r[6]),
      testName: text(r[7]),
      status: text(r[8]),
      cwd: text(r[9]),
    }));
    if (values.file !== undefined) {
      const wanted = resolve(ctx.cwd, values.file);
      events = events.filter((e) => e.file === values.file || pathOf(e) === wanted);
    }
    ctx.stdout.write(events.map((e) => `${quickfixLine(e)}\n`).join(''));
  } finally {
    conn.close();
  }
}
