// Where `bird history`, `bird search` and `bird stats` get their rows: the history index, read
// without DuckDB. Only when it is missing, stale or damaged is DuckDB loaded, once, to rebuild it.
import { loadConfig, requireProjectStore } from '@bird/core';
import { loadHistory, openRecentHistory, wholeHistory, type HistoryIndex, type HistoryRow, type RecentHistory } from '@bird/history-index';
import type { CliContext } from './context.ts';
import { layoutOf, requireRoot } from './layout.ts';
import { connect, MINIMAL, warnOfProblems } from './store-access.ts';

export interface HistorySource {
  index: HistoryIndex;
  /** True when this call had to rebuild the index from the store first (slow, once). */
  rebuilt: boolean;
}

export async function openHistory(ctx: CliContext, onRebuild?: () => void): Promise<HistorySource> {
  const opened = await readOrRebuild(ctx, loadHistory, (index) => ({ ok: true, index }), onRebuild);
  return { index: opened.read.index, rebuilt: opened.rebuilt };
}

/** The index for reading its newest rows first (`bird history`): only what is read is read. Close it when done. */
export async function openRecent(ctx: CliContext, onRebuild?: () => void): Promise<RecentHistory> {
  const opened = await readOrRebuild(ctx, openRecentHistory, (index) => ({ ok: true, history: wholeHistory(index) }), onRebuild);
  return opened.read.history;
}

type Read<T> = ({ ok: true } & T) | { ok: false; detail: string };

/** `read` of the index, rebuilding it first when it cannot answer exactly; `unsaved` wraps a rebuilt index that could not be written. */
async function readOrRebuild<T>(
  ctx: CliContext,
  read: (indexDir: string) => Read<T>,
  unsaved: (index: HistoryIndex) => { ok: true } & T,
  onRebuild?: () => void,
): Promise<{ read: { ok: true } & T; rebuilt: boolean }> {
  const layout = layoutOf(ctx);
  requireRoot(layout, ctx.env);
  // As every command that reads the store: a broken config.toml is an error, the rest warnings.
  warnOfProblems(ctx, layout, loadConfig(layout).remoteProblems);
  const first = read(layout.historyIndex);
  if (first.ok) return { read: first, rebuilt: false };
  onRebuild?.();
  const connection = await connect(ctx, MINIMAL, { quiet: true });
  try {
    const { rebuildHistoryIndex } = await import('@bird/store');
    const outcome = await rebuildHistoryIndex(layout, connection);
    if (typeof outcome === 'object') {
      ctx.stderr.write(`bird: warning: ${outcome.problem}.\n`);
      return { read: unsaved(outcome.unsaved), rebuilt: true };
    }
  } finally {
    connection.close();
  }
  const second = read(layout.historyIndex);
  if (second.ok) return { read: second, rebuilt: true };
  throw new Error(`the history index in ${layout.historyIndex} could not be rebuilt (${second.detail}); run \`bird-sync\` and try again.`);
}

/** The source the project store's rows carry (the store's `_source = 'project'`). */
export const PROJECT_SOURCE = 'project';

/**
 * The commands of the project store of the folder bird runs in (`.bird/`, read-only), as history
 * rows of source `project`. They are not in the history index (it holds this store's rows): read
 * through DuckDB, which a project's store, small next to a user's, makes cheap enough.
 */
export async function projectHistoryRows(ctx: CliContext): Promise<HistoryRow[]> {
  const layout = layoutOf(ctx);
  requireProjectStore(ctx.cwd, layout.root, ctx.env.HOME);
  const connection = await connect(ctx, { ...MINIMAL, attachProject: true }, { quiet: true });
  try {
    const { historyRowsSql, historyRowOfValues } = await import('@bird/store');
    const { rows } = await connection.query(historyRowsSql('project.invocations', `'${PROJECT_SOURCE}'`));
    return rows.map(historyRowOfValues);
  } finally {
    connection.close();
  }
}
