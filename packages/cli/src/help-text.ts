// What `bird help` and `bird help COMMAND` print, read from the declarations in command-specs.ts.
import { flagUsage, listedFlags, synopsis, type CommandSpec } from '@bird/core';
import { usageOf } from './args.ts';
import { COMMAND_SPECS, REMOTE_SUBCOMMANDS, specOf } from './command-specs.ts';

/** `bird remote add|list|remove|test|repair …`. */
export const REMOTE_USAGE = `bird remote ${REMOTE_SUBCOMMANDS.join('|')} …`;

/** A help topic: a command, `remote add` and the like, or `remote` for all of those. */
export function isHelpTopic(topic: string): boolean {
  return topic === 'remote' || specOf(topic) !== undefined;
}

/** `usage: …` for a topic (one line per subcommand for `remote`); undefined when it is none. */
export function topicUsage(topic: string): string | undefined {
  if (topic === 'remote') return `usage: ${REMOTE_SUBCOMMANDS.map((sub) => usageOf(specOf(`remote ${sub}`)!)).join('\n       ')}\n`;
  const spec = specOf(topic);
  return spec === undefined ? undefined : `usage: ${usageOf(spec)}\n`;
}

/** Where the descriptions start: two spaces, then a column this wide for the command. */
const COLUMN = 33;
const INDENT = ' '.repeat(2 + COLUMN);

/**
 * One command in the list: its name with its operand and the flags marked `synopsis`, what it
 * does (beside it when there is room, else below), then a line per flag marked `line`.
 */
function entry(spec: CommandSpec): string[] {
  const left = synopsis(spec, (f) => f.overview === 'synopsis');
  const lines = left.length <= COLUMN - 2 ? [`  ${left.padEnd(COLUMN)}${spec.about}`] : [`  ${left}`, `${INDENT}${spec.about}`];
  for (const flag of listedFlags(spec)) if (flag.overview === 'line') lines.push(`${INDENT}${flagUsage(flag)}: ${flag.help}`);
  return lines;
}

/** `bird help`: every command, what it does, and the environment bird reads. */
export function overview(): string {
  return `bird: every shell command you run, captured into a DuckDB/Parquet store you query with SQL.

usage: bird COMMAND [ARGS]

Commands:
${Object.values(COMMAND_SPECS).flatMap(entry).join('\n')}
  ${'--version'.padEnd(COLUMN)}print the version

Environment:
  BIRD_ROOT       where everything is kept (default \${XDG_DATA_HOME:-~/.local/share}/bird)
  BIRD_DISABLED   set to 1 to stop capturing
  BIRD_CLIENT_ID  this machine's id in shared data (default: client_id in config.toml, else $USER@hostname)

Example:
  bird sql "SELECT cmd, count(*) AS n FROM main.invocations GROUP BY cmd ORDER BY n DESC LIMIT 10"
`;
}
