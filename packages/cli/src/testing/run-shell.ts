import { execFileSync } from 'node:child_process';
import type { ShellName } from '@bird/core';

const ARGS: Record<ShellName, string[]> = { zsh: ['-f', '-c'], bash: ['--norc', '-c'], fish: ['--no-config', '-c'] };

/** What `shell` prints running `script` non-interactively, with nothing of this machine's set-up but PATH. */
export function runShell(shell: ShellName, script: string): string {
  return execFileSync(shell, [...ARGS[shell], script], { env: { PATH: process.env.PATH }, encoding: 'utf8' });
}
