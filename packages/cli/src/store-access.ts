// The cli's one door into the store. The store (and DuckDB with it) is imported only when a
// command is about to query, after its arguments were checked, so that bad input fails fast.
import { spoolProblem, usageError, type BirdLayout } from '@bird/core';
import type { BirdConnection, LockOptions } from '@bird/store';
// The API types and presets only: this subpath loads no DuckDB.
import { ConnectionOptions } from '@bird/store/api';
import { warn, type CliContext } from './context.ts';
import { layoutOf, requireRoot } from './layout.ts';

/** What `bird sql` opens: macros made, and each remote attached when the query names it (or it is asked for by --attach). */
export const FULL: ConnectionOptions = { ...ConnectionOptions.full(), attachWhenNamed: true };
/** Enough for `bird history`: only `main.*`, no remotes to reach; an old catalog is still upgraded. */
export const MINIMAL: ConnectionOptions = { ...ConnectionOptions.minimal(), runMigration: true };

/** `--attach` as given: names, each once, or `all` when one of them is `all`. */
export function onDemandRemotes(attach: readonly string[] | undefined): readonly string[] | 'all' {
  if (attach === undefined) return [];
  return attach.includes('all') ? 'all' : [...new Set(attach)];
}

/**
 * How long to wait for a catalog another process holds: the store's default, or
 * `BIRD_LOCK_TIMEOUT_MS` (whole milliseconds) for scripts that would rather fail fast.
 */
export function lockOptions(ctx: CliContext): LockOptions {
  const text = ctx.env.BIRD_LOCK_TIMEOUT_MS;
  if (text === undefined || text === '') return {};
  if (!/^\d{1,9}$/.test(text)) throw usageError(`BIRD_LOCK_TIMEOUT_MS must be a whole number of milliseconds, not ${JSON.stringify(text)}.`);
  return { lockTimeoutMs: Number(text) };
}

/**
 * Opens a connection to the store at BIRD_ROOT, which must exist. The first capture makes only
 * the root and config.toml; the store then creates the catalog, in the mode the config names.
 */
export async function connect(ctx: CliContext, options: ConnectionOptions, { quiet = false }: { quiet?: boolean } = {}): Promise<BirdConnection> {
  const layout = layoutOf(ctx);
  requireRoot(layout, ctx.env);
  const { openStore } = await import('@bird/store');
  const store = await openStore(layout, { ...lockOptions(ctx), cwd: ctx.cwd, onWarning: (message) => warn(ctx, message) });
  // quiet: the caller already told of them (the store's own warnings still go out).
  if (!quiet) warnOfProblems(ctx, layout, store.config.remoteProblems);
  return store.connect(options);
}

/**
 * What every command that reads the store warns of: a spool the hooks cannot write (capture may
 * be failing; this is where the user learns it) and config.toml entries left out.
 */
export function warnOfProblems(ctx: CliContext, layout: BirdLayout, remoteProblems: readonly string[]): void {
  const spool = spoolProblem(layout);
  if (spool) warn(ctx, spool);
  for (const problem of remoteProblems) warn(ctx, problem);
}
