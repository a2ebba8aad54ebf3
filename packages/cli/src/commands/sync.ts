import { runSync } from '@bird/sync-worker';
import type { CommandRun } from '../cli.ts';

/** `bird push` / `bird pull`: the same code as `bird-sync push|pull`. */
export function syncCommand(op: 'push' | 'pull'): CommandRun {
  return async (args, ctx) => {
    return runSync(op, args, { env: ctx.env, stdout: ctx.stdout, stderr: ctx.stderr, cwd: ctx.cwd }, 'bird');
  };
}
