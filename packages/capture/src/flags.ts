import { isShellName, usageError } from '@bird/core';
import type { FinishedCommand } from './finished-command.ts';

export const CAPTURE_USAGE =
  'usage: bird-capture --cmd TEXT --exit N --start-us EPOCH_US [--end-us EPOCH_US] [--cwd DIR] --session ID [--shell zsh|bash|fish] [--pid N]';

/** Parses `bird-capture` flags; every problem becomes one sentence naming the flag. */
export function parseCaptureFlags(argv: string[], now: () => bigint, cwd: () => string): FinishedCommand {
  const values = readFlags(argv);
  const need = (flag: string): string => {
    const value = values[flag];
    if (value === undefined) throw usageError(`missing --${flag}; ${CAPTURE_USAGE}`);
    return value;
  };
  const integer = (flag: string, value: string, min: bigint, max: bigint): bigint => {
    if (!/^-?\d+$/.test(value) || BigInt(value) < min || BigInt(value) > max) {
      throw usageError(`--${flag} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}.`);
    }
    return BigInt(value);
  };
  const MAX_US = 253402300799999999n; // 9999-12-31T23:59:59.999999Z

  const cmd = need('cmd');
  if (cmd.includes('\0')) throw usageError('--cmd cannot contain a NUL byte.');
  const exitCode = Number(integer('exit', need('exit'), -2147483648n, 2147483647n));
  const startUs = integer('start-us', need('start-us'), 0n, MAX_US);
  const endUs = values['end-us'] === undefined ? now() : integer('end-us', values['end-us'], 0n, MAX_US);
  if (endUs < startUs) throw usageError('--end-us is before --start-us; pass the time the command finished.');
  const shell = values.shell ?? null;
  if (shell !== null && !isShellName(shell)) throw usageError(`--shell must be zsh, bash or fish, not ${JSON.stringify(shell)}.`);
  const sessionId = need('session');
  if (sessionId === '' || sessionId.length > 256) throw usageError('--session must be a non-empty id of at most 256 characters.');
  const shellPid = values.pid === undefined ? null : Number(integer('pid', values.pid, 1n, 4194304n));

  return { cmd, exitCode, startUs, endUs, cwd: values.cwd ?? cwd(), sessionId, shell, shellPid };
}

const FLAGS = new Set(['cmd', 'exit', 'start-us', 'end-us', 'cwd', 'session', 'shell', 'pid']);

/**
 * `--flag VALUE` and `--flag=VALUE` for the flags above, the last of a repeated one winning.
 * By hand, not util.parseArgs: loading and running that cost every capture ~0.4 ms of its
 * start (bench/capture-start.md). A value that starts with `-` must be written `--flag=VALUE`,
 * so that a forgotten value never swallows the next flag.
 */
function readFlags(argv: readonly string[]): Record<string, string | undefined> {
  const values: Record<string, string | undefined> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw usageError(`unexpected argument ${JSON.stringify(arg)}; ${CAPTURE_USAGE}`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (!FLAGS.has(name)) throw usageError(`unknown flag --${name}; ${CAPTURE_USAGE}`);
    if (eq !== -1) {
      values[name] = arg.slice(eq + 1);
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined) throw usageError(`--${name} needs a value; ${CAPTURE_USAGE}`);
    if (value.startsWith('-')) throw usageError(`--${name} needs a value; to pass one that starts with "-", write --${name}=VALUE.`);
    values[name] = value;
    i++;
  }
  return values;
}
