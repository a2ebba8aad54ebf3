import { runCompact } from '@bird/sync-worker';
import type { CliContext } from '../context.ts';

/** `bird compact`: the same code as `bird-sync compact`. */
export function run(args: string[], ctx: CliContext): Promise<number> {
  return runCompact(args, { env: ctx.env, stdout: ctx.stdout, stderr: ctx.stderr }, 'bird');
}
