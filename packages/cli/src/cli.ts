import { BirdError, describeError, usageError } from '@bird/core';
import { parseCommand } from './args.ts';
import { COMMAND_SPECS } from './command-specs.ts';
import type { CliContext } from './context.ts';
import { escapeForTerminal } from './format/text-width.ts';
import { isHelpTopic, overview, topicUsage } from './help-text.ts';
import pkg from '../package.json' with { type: 'json' };

/** Runs a command; resolves to its exit status when that is not 0 (a failure it reported itself), else nothing. */
export type CommandRun = (args: string[], ctx: CliContext) => Promise<number | void>;

export const COMMAND_NAMES = ['init', 'sql', 'history', 'search', 'stats', 'remote', 'hook', 'setup', 'completion', 'compact', 'push', 'pull', 'import', 'run', 'output', 'events', 'forget', 'redact', 'doctor', 'help'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

/**
 * Each command is loaded only when it runs, so `bird hook`, `bird remote list` and `--help`
 * never load DuckDB (only the commands that query import the store).
 */
const COMMANDS: Record<CommandName, () => Promise<CommandRun>> = {
  init: async () => (await import('./commands/init.ts')).run,
  sql: async () => (await import('./commands/sql.ts')).run,
  history: async () => (await import('./commands/history.ts')).run,
  search: async () => (await import('./commands/search.ts')).run,
  stats: async () => (await import('./commands/stats.ts')).run,
  remote: async () => (await import('./commands/remote.ts')).run,
  hook: async () => (await import('./commands/hook.ts')).run,
  setup: async () => (await import('./commands/setup.ts')).run,
  completion: async () => (await import('./commands/completion.ts')).run,
  compact: async () => (await import('./commands/compact.ts')).run,
  push: async () => (await import('./commands/sync.ts')).syncCommand('push'),
  pull: async () => (await import('./commands/sync.ts')).syncCommand('pull'),
  import: async () => (await import('./commands/import.ts')).run,
  run: async () => (await import('./commands/run.ts')).run,
  output: async () => (await import('./commands/output.ts')).run,
  events: async () => (await import('./commands/events.ts')).run,
  forget: async () => (await import('./commands/forget.ts')).run,
  redact: async () => (await import('./commands/redact.ts')).run,
  doctor: async () => (await import('./commands/doctor.ts')).run,
  help: async () => runHelp,
};

const isCommand = (name: string): name is CommandName => (COMMAND_NAMES as readonly string[]).includes(name);

async function runHelp(args: string[], ctx: CliContext): Promise<void> {
  const topic = parseCommand(COMMAND_SPECS.help, args).operands.join(' ');
  if (topic === '') {
    ctx.stdout.write(overview());
    return;
  }
  const usage = topicUsage(topic);
  if (usage === undefined) throw usageError(`there is no command ${JSON.stringify(topic)}; run \`bird --help\` to see the commands.`);
  ctx.stdout.write(usage);
  if (topic === 'sql') ctx.stdout.write((await import('./sql-help.ts')).sqlHelp());
}

/** `--help`/`-h` before a `--` (for `bird run`, before the command it runs): asks for help rather than running the command. */
function wantsHelp(command: CommandName, args: readonly string[]): boolean {
  if (command === 'run') return args[0] === '--help' || args[0] === '-h';
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

async function dispatch(argv: string[], ctx: CliContext): Promise<number | void> {
  const [first, ...rest] = argv;
  // `bird` alone asks what there is: the help, as `bird --help` gives it.
  if (first === undefined || first === '--help' || first === '-h') return runHelp([], ctx);
  if (first === '--version' || first === '-V' || first === 'version') {
    ctx.stdout.write(`bird ${pkg.version}\n`);
    return;
  }
  // Run by the completion scripts on Tab; not a command people type, so not in the help.
  if (first === '__complete') return (await import('./commands/completion.ts')).runComplete(rest, ctx);
  // Run by a hook being sourced when config.toml changed since bird last read it; not in the help either.
  if (first === '__hook-settings') return (await import('./commands/hook.ts')).runHookSettings(rest, ctx);
  if (first.startsWith('-')) throw usageError(`unknown option ${first}; run \`bird --help\` to see the commands.`);
  if (!isCommand(first)) throw usageError(`unknown command ${JSON.stringify(first)}; run \`bird --help\` to see the commands.`);
  if (wantsHelp(first, rest)) {
    const sub = first === 'remote' && rest[0] && isHelpTopic(`remote ${rest[0]}`) ? `remote ${rest[0]}` : first;
    return runHelp([sub], ctx);
  }
  const run = await COMMANDS[first]();
  return run(rest, ctx);
}

/**
 * One line of an error for the user, with control and bidi characters escaped (errors name
 * files, remotes and values from data): bird's own sentence whole, a newline in it shown as
 * `\n`; another error (DuckDB's) by its first line, without a stack or a repeated prefix.
 */
export function errorLine(error: unknown): string {
  const text = describeError(error);
  const line = error instanceof BirdError ? text.trim() : (text.split('\n').find((l) => l.trim() !== '') ?? '').trim();
  return escapeForTerminal(line.replace(/^bird: /, '')) || 'unknown error';
}

/** Runs `bird ARGV`; returns the exit status. Failures print `bird: <one sentence>` on stderr. */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  try {
    return (await dispatch(argv, ctx)) ?? 0;
  } catch (error) {
    // An empty BirdError is an exit status with nothing to say (bird search left with Esc).
    if (!(error instanceof BirdError && error.message === '')) ctx.stderr.write(`bird: ${errorLine(error)}\n`);
    return error instanceof BirdError ? error.exitCode : 1;
  }
}
