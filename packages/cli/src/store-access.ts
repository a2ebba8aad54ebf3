// The cli's one door into the store. Imported only by commands that query, so that DuckDB
// is loaded by them alone.
import { ConnectionOptions, openStore, type BirdConnection } from '@bird/store';
import type { CliContext } from './context.ts';
import { layoutOf, requireRoot } from './layout.ts';

/** What `bird sql` opens: remotes attached, macros made (the seed's `full()`). */
export const FULL: ConnectionOptions = ConnectionOptions.full();
/** Enough for `bird history`: only `main.*`, no remotes to reach; an old catalog is still upgraded. */
export const MINIMAL: ConnectionOptions = { ...ConnectionOptions.minimal(), runMigration: true };

/**
 * Opens a connection to the store at BIRD_ROOT, which must exist. The first capture makes only
 * the root and config.toml; the store then creates the catalog, in the mode the config names.
 */
export async function connect(ctx: CliContext, options: ConnectionOptions): Promise<BirdConnection> {
  const layout = layoutOf(ctx);
  requireRoot(layout);
  const store = await openStore(layout, {
    cwd: ctx.cwd,
    onWarning: (message) => ctx.stderr.write(`bird: warning: ${message}\n`),
  });
  return store.connect(options);
}
