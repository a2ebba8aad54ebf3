import { describe, expect, it } from 'vitest';
import { BirdError } from '@bird/core';
import { errorLine, runCli } from './cli.ts';
import type { CliContext, Output } from './context.ts';

function fakeContext(): { ctx: CliContext; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]): Output => ({ write: (t) => void into.push(t), isTTY: false, columns: undefined });
  return { ctx: { env: {}, stdout: sink(out), stderr: sink(err), cwd: '/' }, out, err };
}

describe('runCli', () => {
  it.each([
    [['--help'], 0, /^bird: every shell command/, ''],
    [['help', 'sql'], 0, /^usage: bird sql \["QUERY" \| --file FILE\]/, ''],
    [['sql', '-h'], 0, /^usage: bird sql \["QUERY" \| --file FILE\]/, ''],
    [['remote', 'remove', '--help'], 0, /^usage: bird remote remove NAME\n$/, ''],
    [['remote', '--help'], 0, /^usage: bird remote add NAME .*\n {7}bird remote list .*\n {7}bird remote remove NAME\n {7}bird remote test NAME\n {7}bird remote repair NAME \[--client ID\]\n$/, ''],
    [['help', 'doctor'], 0, /^usage: bird doctor \[--json\]\n$/, ''],
    [['init', '--client-id'], 2, /^$/, 'bird: --client-id needs a value; usage: bird init [DIR] [--mode parquet|duckdb] [--client-id ID] [--project]  (DIR: with --project only)\n'],
    [['--version'], 0, /^bird \d+\.\d+\.\d+\n$/, ''],
    [[], 0, /^bird: every shell command/, ''],
    [['nope'], 2, /^$/, 'bird: unknown command "nope"; run `bird --help` to see the commands.\n'],
    [['-x'], 2, /^$/, 'bird: unknown option -x; run `bird --help` to see the commands.\n'],
    [['push', '--since', 'soon'], 2, /^$/, 'bird: --since takes a number of days (7d, 30d) or a date (YYYY-MM-DD), not "soon".\n'],
    // Each command accepts only the flags it declares: push's --dry-run is not pull's.
    [['pull', '--dry-run'], 2, /^$/, 'bird: unknown option --dry-run; usage: bird pull [--remote NAME] [--since 7d|30d|YYYY-MM-DD] [--client ID] [--project] [--json]\n'],
    [['hook', 'csh'], 2, /^$/, 'bird: the shell must be zsh, bash or fish, not "csh".\n'],
  ])('bird %j → exit %i', async (argv, code, stdout, stderr) => {
    const { ctx, out, err } = fakeContext();
    expect(await runCli(argv, ctx)).toBe(code);
    expect(out.join('')).toMatch(stdout);
    expect(err.join('')).toBe(stderr);
  });
});

describe('errorLine', () => {
  it.each([
    [new BirdError('bad thing; do this.'), 'bad thing; do this.'],
    [new Error('Parser Error: syntax error\n\nLINE 1: SELEC\n        ^'), 'Parser Error: syntax error'],
    [new Error('\n  leading blank\nmore'), 'leading blank'],
    [new Error('bird: already prefixed'), 'already prefixed'],
    ['a thrown string', 'a thrown string'],
    [new Error(''), 'unknown error'],
    // Errors name files and values that came from data: nothing in them reaches the terminal raw.
    [new BirdError('cannot read /tmp/\x1b]0;x\x07\u202eevil'), 'cannot read /tmp/\\x1b]0;x\\x07\\u202eevil'],
    [new BirdError('there is no file a\nb; check the path.'), 'there is no file a\\nb; check the path.'],
    [new Error('\x9b2J first\nsecond'), '\\x9b2J first'],
  ])('%s → %j', (error, line) => {
    expect(errorLine(error)).toBe(line);
  });
});
