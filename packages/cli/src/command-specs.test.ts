// Each command's usage line, its entry in `bird help`, its Tab completion and the flags it
// accepts all come from its one declaration in command-specs.ts: checked here for every command.
import { describe, expect, it } from 'vitest';
import { flagUsage, usageName, type CommandSpec, type FlagSpec } from '@bird/core';
import { parseCommand, usageOf } from './args.ts';
import { COMMAND_NAMES, runCli } from './cli.ts';
import { COMMAND_SPECS, TOP_COMMANDS } from './command-specs.ts';
import { complete, type Completion } from './completion.ts';
import type { CliContext, Output } from './context.ts';
import { overview, topicUsage } from './help-text.ts';

const sources = { remoteNames: () => ['team', 'backup'] };
const words = (c: Completion) => (c.kind === 'files' ? ':files' : c.candidates.map((x) => x.word));
const NAMES = Object.keys(COMMAND_SPECS) as (keyof typeof COMMAND_SPECS)[];

async function bird(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]): Output => ({ write: (t) => void into.push(t), isTTY: false, columns: undefined });
  const ctx: CliContext = { env: {}, stdout: sink(out), stderr: sink(err), cwd: '/', stdinIsTTY: true };
  return { code: await runCli(argv, ctx), stdout: out.join(''), stderr: err.join('') };
}

/** A value the flag accepts. */
const sample = (flag: FlagSpec): string[] => (flag.type === 'boolean' ? [] : [flag.type === 'enum' ? flag.values[0]! : flag.type === 'number' ? String(flag.min) : 'x']);

/** The operand and required flags a command line needs before a flag under test can be judged alone. */
function required(spec: CommandSpec): string[] {
  const operand = spec.operand?.required ? [spec.operand.type === 'enum' ? spec.operand.values[0]! : 'team'] : [];
  return [...operand, ...spec.flags.filter((f) => f.required).flatMap((f) => [`--${f.name}`, ...sample(f)])];
}

describe('every command line is declared once', () => {
  it('each command bird dispatches has a declaration, and Tab offers them in the order bird help lists them', () => {
    expect(TOP_COMMANDS).toEqual([...COMMAND_NAMES]);
    const commands = overview().split('Commands:\n')[1]!.split('  --version')[0]!;
    const listed = [...commands.matchAll(/^ {2}([a-z]+(?: (?:add|list|remove|test|repair))?)\b/gm)].map((m) => m[1]);
    expect(listed).toEqual(NAMES);
  });

  describe.each(NAMES)('%s', (name) => {
    const spec: CommandSpec = COMMAND_SPECS[name];
    const command = name.split(' ');
    const shown = spec.flags.filter((f) => !f.hidden);
    const tab = (...after: string[]) => complete(['bird', ...command, ...after], command.length + after.length, sources);

    it('shows each flag it declares, and only those, in its usage line and in bird help COMMAND', () => {
      const usage = usageOf(spec);
      expect(topicUsage(name)).toBe(`usage: ${usage}\n`);
      for (const flag of shown) expect(usage).toContain(flagUsage(flag));
      for (const flag of spec.flags.filter((f) => f.hidden)) expect(usage).not.toContain(`--${flag.name}`);
      const inUsage = [...usage.matchAll(/(?<![\w-])(--?[\w-]+)/g)].map((m) => m[1]);
      // An operand may look like an option (`bird events -N`): its declared forms are not flags.
      const operandForms = spec.operand && 'value' in spec.operand ? (spec.operand.value?.split('|') ?? []) : [];
      expect(inUsage.filter((word) => !operandForms.includes(word!) && !spec.flags.some((f) => word === `--${f.name}` || word === `-${f.short}`))).toEqual([]);
    });

    it('is listed in bird help with what it does, and the help of the flags it puts there', () => {
      const help = overview();
      expect(help).toContain(spec.about);
      for (const flag of shown.filter((f) => f.overview === 'line')) expect(help).toContain(`${flagUsage(flag)}: ${flag.help}`);
    });

    it('completes each flag it shows, by the name its usage line gives, with its help beside it', () => {
      const offered = tab('-');
      expect(words(offered)).toEqual([...shown.map(usageName), '--help']);
      if (offered.kind === 'words') for (const flag of shown) expect(offered.candidates.find((c) => c.word === usageName(flag))?.description).toBe(flag.help);
    });

    it('completes each flag value from the declaration, after every name of the flag', () => {
      for (const flag of shown.filter((f) => f.type !== 'boolean')) {
        const expected =
          flag.type === 'enum'
            ? flag.values
            : flag.type === 'number'
              ? []
              : flag.complete === 'files'
                ? ':files'
                : [...(flag.complete === 'remotes' ? sources.remoteNames() : []), ...(flag.suggest ?? [])];
        for (const typed of [`--${flag.name}`, ...(flag.short ? [`-${flag.short}`] : [])]) expect(words(tab(typed, '')), typed).toEqual(expected);
      }
    });

    it('accepts each flag it declares, by each of its names, and nothing else', async () => {
      const base = required(spec);
      for (const flag of spec.flags) {
        for (const typed of [`--${flag.name}`, ...(flag.short ? [`-${flag.short}`] : [])]) {
          const values: Record<string, unknown> = parseCommand(spec, [...base, typed, ...sample(flag)]).values;
          expect(values[flag.name], typed).toBeDefined();
        }
      }
      // Through bird itself: the command parses with this declaration and shows its usage line.
      expect(await bird([...command, '--not-declared'])).toEqual({ code: 2, stdout: '', stderr: `bird: unknown option --not-declared; usage: ${usageOf(spec)}\n` });
    });
  });
});

describe('errors name the flag as it was typed, with the usage line', () => {
  const usage = (name: keyof typeof COMMAND_SPECS) => usageOf(COMMAND_SPECS[name]);
  it.each([
    // The drift of issue 24: search's -n is --limit inside, and its error named the one the usage never shows.
    [['search', '-n', 'x'], `-n must be a whole number of at least 1, not "x"; usage: ${usage('search')}`],
    [['search', '--limit', '0'], `--limit (-n) must be a whole number of at least 1, not "0"; usage: ${usage('search')}`],
    [['history', '-n', 'x'], `-n must be a whole number of at least 1, not "x"; usage: ${usage('history')}`],
    [['history', '-f', 'xml'], `-f (--format) must be table, csv or json, not "xml"; usage: ${usage('history')}`],
    [['history', '--bogus'], `unknown option --bogus; usage: ${usage('history')}`],
    [['stats', '-x'], `unknown option -x; usage: ${usage('stats')}`],
    [['remote', 'add', 'team', '--type', 's3', '--url', 'x'], `unknown option --url; usage: ${usage('remote add')}`],
    [['sql', 'SELECT 1', '--attach'], `--attach needs a value; usage: ${usage('sql')}`],
    [['stats', '-f'], `-f (--format) needs a value; usage: ${usage('stats')}`],
    [['push', '--remote'], `--remote needs a value; usage: ${usage('push')}`],
    [['remote', 'add', 'team', '--type'], `--type needs a value; usage: ${usage('remote add')}`],
    [['import', '--file', '--dry-run'], `--file needs a value, and what follows it looks like another option (for a value that starts with "-", write --file=VALUE); usage: ${usage('import')}`],
    [['remote', 'add', 'team', '--uri', '/srv/lake'], `missing --type file|s3; usage: ${usage('remote add')}`],
    [['doctor', '--json=yes'], `--json does not take a value; usage: ${usage('doctor')}`],
    [['help', '--all'], `unknown option --all; usage: ${usage('help')}`],
  ])('bird %j', async (argv, message) => {
    expect(await bird(argv)).toEqual({ code: 2, stdout: '', stderr: `bird: ${message}\n` });
  });
});
