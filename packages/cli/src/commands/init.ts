import { STORAGE_MODES } from '@bird/core';
import { oneOf, parseFlags } from '../args.ts';
import { warn, type CliContext } from '../context.ts';
import { layoutOf } from '../layout.ts';
import { lockOptions } from '../store-access.ts';
import { USAGE } from '../usage.ts';

/**
 * `bird init [--mode parquet|duckdb]`: creates the store, or checks the one that is there.
 * Without --mode an existing store keeps its mode; the store refuses a different one.
 */
export async function run(args: string[], ctx: CliContext): Promise<void> {
  const { values } = parseFlags(args, { mode: { type: 'string' } }, USAGE.init);
  const mode = values.mode === undefined ? undefined : oneOf('--mode', values.mode as string, STORAGE_MODES);
  const layout = layoutOf(ctx);
  const { initStore } = await import('@bird/store');
  const result = await initStore(layout, mode, { ...lockOptions(ctx), onWarning: (message) => warn(ctx, message) });
  ctx.stdout.write(
    result.created
      ? `Created a BIRD store in ${result.mode} mode at ${layout.root}.\n`
      : result.changes.length > 0
        ? `The BIRD store at ${layout.root} is ready (${result.mode} mode); bird ${result.changes.join(' and ')}.\n`
        : `The BIRD store at ${layout.root} is ready (${result.mode} mode); nothing was changed.\n`,
  );
}
