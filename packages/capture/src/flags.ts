import { parseArgs } from 'node:util';
import { isShellName, usageError } from '@bird/core';
import type { FinishedCommand } from './finished-command.ts';

export const CAPTURE_USAGE =
  'usage: bird-capture --cmd TEXT --exit N --start-us EPOCH_US [--end-us EPOCH_US] [--cwd DIR] --session ID [--shell zsh|bash|fish] [--pid N]';

/** Parses `bird-capture` flags; every problem becomes one sentence naming the flag. */
export function parseCaptureFlags(argv: string[], now: () => bigint, cwd: () => string): FinishedCommand {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        cmd: { type: 'string' },
        exit: { type: 'string' },
        'start-us': { type: 'string' },
        'end-us': { type: 'string' },
        cwd: { type: 'string' },
        session: { type: 'string' },
        shell: { type: 'string' },
        pid: { type: 'string' },
      },
    }) as { values: Record<string, string | undefined> });
  } catch (error) {
    const message = (error as Error).message.split('\n')[0]!.replace(/\. To specify.*$/, '');
    // `--start-us -1`: parseArgs reads the value as the next flag.
    const ambiguous = /^Option '(--[a-z-]+)' argument is ambiguous/.exec(message);
    if (ambiguous) throw usageError(`${ambiguous[1]} needs a value; to pass one that starts with "-", write ${ambiguous[1]}=VALUE.`);
    throw usageError(`${message.replace(/\.$/, '')}; ${CAPTURE_USAGE}`);
  }
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
