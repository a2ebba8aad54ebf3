import { runCompact } from '@bird/sync-worker';
import type { CliContext } from '../context.ts';

/** `bird compact`: the same code as `bird-sync compact`. */
export async function run(args: string[], ctx: CliContext): Promise<void> {
  const code = await runCompact(args, { env: ctx.env, stdout: ctx.stdout, stderr: ctx.stderr }, 'bird');
  if (code !== 0) process.exitCode = code;
}
