// Where `bird history`, `bird search` and `bird stats` get their rows: the history index, read
// without DuckDB. Only when it is missing, stale or damaged is DuckDB loaded, once, to rebuild it.
import { loadConfig } from '@bird/core';
import { loadHistory, type HistoryIndex } from '@bird/history-index';
import type { CliContext } from './context.ts';
import { layoutOf, requireRoot } from './layout.ts';
import { connect, MINIMAL, warnOfProblems } from './store-access.ts';

export interface HistorySource {
  index: HistoryIndex;
  /** True when this call had to rebuild the index from the store first (slow, once). */
  rebuilt: boolean;
}

export async function openHistory(ctx: CliContext, onRebuild?: () => void): Promise<HistorySource> {
  const layout = layoutOf(ctx);
  requireRoot(layout, ctx.env);
  // As every command that reads the store: a broken config.toml is an error, the rest warnings.
  warnOfProblems(ctx, layout, loadConfig(layout).remoteProblems);
  const first = loadHistory(layout.historyIndex);
  if (first.ok) return { index: first.index, rebuilt: false };
  onRebuild?.();
  const connection = await connect(ctx, MINIMAL, { quiet: true });
  try {
    const { rebuildHistoryIndex } = await import('@bird/store');
    const outcome = await rebuildHistoryIndex(layout, connection);
    if (typeof outcome === 'object') {
      ctx.stderr.write(`bird: warning: ${outcome.problem}.\n`);
      return { index: outcome.unsaved, rebuilt: true };
    }
  } finally {
    connection.close();
  }
  const second = loadHistory(layout.historyIndex);
  if (second.ok) return { index: second.index, rebuilt: true };
  throw new Error(`the history index in ${layout.historyIndex} could not be rebuilt (${second.detail}); run \`bird-sync\` and try again.`);
}
