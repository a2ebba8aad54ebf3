import { parseCommand } from '../args.ts';
import { COMMAND_SPECS } from '../command-specs.ts';
import type { CliContext } from '../context.ts';
import { doctorJson } from '../doctor/doctor-json.ts';
import { doctorLines, exitStatus } from '../doctor/doctor-lines.ts';
import { gatherFacts } from '../doctor/gather-facts.ts';
import { escapeForTerminal, escapeJsonForTerminal } from '../format/text-width.ts';
import pkg from '../../package.json' with { type: 'json' };

/**
 * `bird doctor [--json]`: whether this shell is hooked, the store and its mode, the client id and
 * where it comes from, the spool's backlog, the history index, and each remote's health; one line
 * per fact, marked ok, warn or FAIL. Exit 1 when a line FAILs. It repairs nothing.
 */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseCommand(COMMAND_SPECS.doctor, args);
  const facts = await gatherFacts(ctx, pkg.version);
  const lines = doctorLines(facts);
  if (values.json) {
    const json = JSON.stringify(doctorJson(facts, lines), null, 2);
    ctx.stdout.write(`${escapeJsonForTerminal(json)}\n`);
  } else {
    // Paths, ids and remote names are data: shown with their control characters escaped.
    for (const l of lines) ctx.stdout.write(`${escapeForTerminal(`${l.status.padEnd(6)}${l.text}`)}\n`);
  }
  return exitStatus(lines);
}
