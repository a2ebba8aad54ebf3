// Where `bird history`, `bird search` and `bird stats` get their rows: the history index, read
// without DuckDB. Only when it is missing, stale or damaged is DuckDB loaded, once, to rebuild it.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { INSTALL_LAYOUT, loadConfig, requireProjectStore, tryLock, type BirdLayout } from '@bird/core';
import { EMPTY_INDEX, indexFiles, loadHistory, mergeRows, openRecentHistory, wholeHistory, type HistoryIndex, type HistoryRow, type NewestRows, type RecentHistory } from '@bird/history-index';
import type { CliContext } from './context.ts';
import { layoutOf, requireRoot } from './layout.ts';
import { installRoot } from './shell-files.ts';
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

/** The newest rows read from the store itself, through DuckDB, while the index is rebuilt. */
export interface StoreNewest {
  /** As RecentHistory.newest: the newest `rows` rows (all when there are fewer). */
  newest(rows: number): Promise<NewestRows>;
  close(): void;
}

/**
 * Bytes of stored commands (Parquet files of invocations, or bird.duckdb) up to which a missing
 * or stale index is rebuilt before answering: about 150,000 commands, a rebuild of a second or
 * two. Past it a rebuild takes longer than a person should wait (12 s at 1M, two minutes at
 * 10M: bench/team-scale.md), so `bird history` answers from the store and rebuilds detached.
 * BIRD_INDEX_FOREGROUND_BYTES sets it (tests).
 */
const FOREGROUND_REBUILD_BYTES = 8 << 20;

/**
 * `bird history`'s read, which never waits long for a rebuild: the index when it can answer;
 * else, for a small store, the index rebuilt first; for a large one, the store read directly
 * (one DuckDB query of the newest rows) while `bird-sync index` rebuilds the index detached.
 * Reading the store is always exact, even where the old index may still hold a forgotten
 * command (a removal's stale marker), so it is safe where answering from the old index is not.
 */
export async function openRecentOrStore(
  ctx: CliContext,
  {
    onRebuild,
    notice = (text) => ctx.stderr.write(`bird: ${text}\n`),
  }: {
    /** Called before a small store's index is rebuilt in the foreground. */
    onRebuild?: () => void;
    /** Says that the answer comes from the store while the index is rebuilt (default: a line on stderr). */
    notice?: (text: string) => void;
  } = {},
): Promise<{ recent: RecentHistory } | { store: StoreNewest }> {
  const layout = layoutOf(ctx);
  requireRoot(layout, ctx.env);
  const first = openRecentHistory(layout.historyIndex);
  if (first.ok) {
    warnOfProblems(ctx, layout, loadConfig(layout).remoteProblems);
    return { recent: first.history };
  }
  const limit = Number(ctx.env.BIRD_INDEX_FOREGROUND_BYTES ?? FOREGROUND_REBUILD_BYTES);
  if (!(storedCommandBytesOver(layout, limit))) return { recent: await openRecent(ctx, onRebuild) };
  warnOfProblems(ctx, layout, loadConfig(layout).remoteProblems);
  const started = rebuildDetached(ctx, layout);
  notice(`the history index ${started ? 'is being rebuilt in the background' : 'could not be rebuilt in the background (run `bird-sync index`)'}; this answer was read from the store, more slowly.`);
  const connection = await connect(ctx, MINIMAL, { quiet: true });
  const { historyRowsSql, historyRowOfValues } = await import('@bird/store');
  return {
    store: {
      async newest(rows) {
        const { rows: values } = await connection.query(`${historyRowsSql('main.invocations')} ORDER BY 2 DESC, 1 DESC LIMIT ${rows}`);
        return { index: mergeRows(EMPTY_INDEX, values.map(historyRowOfValues)), complete: values.length < rows };
      },
      close: () => connection.close(),
    },
  };
}

/** Whether the store's commands take more than `limit` bytes on disk; stops counting once they do. */
function storedCommandBytesOver(layout: BirdLayout, limit: number): boolean {
  let bytes = statSync(layout.catalog, { throwIfNoEntry: false })?.size ?? 0;
  const walk = (dir: string, inInvocations: boolean): boolean => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return false; // no such folder (duckdb mode, no caches): nothing stored there
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory() && walk(path, inInvocations || e.name === 'invocations')) return true;
      if (e.isFile() && inInvocations) bytes += statSync(path, { throwIfNoEntry: false })?.size ?? 0;
      if (bytes > limit) return true;
    }
    return false;
  };
  return bytes > limit || walk(layout.dataDir, false);
}

/**
 * Starts `bird-sync index`, detached, unless a rebuild holds the index's lock already. False when
 * it could not be started (the next read tries again).
 */
function rebuildDetached(ctx: CliContext, layout: BirdLayout): boolean {
  const lock = tryLock(indexFiles(layout.historyIndex).lock);
  if (!lock) return true;
  lock.release();
  try {
    const bin = ctx.env.BIRD_SYNC_BIN || join(installRoot(), INSTALL_LAYOUT.syncBundle);
    const child = spawn(process.execPath, [bin, 'index'], { detached: true, stdio: 'ignore', env: { ...ctx.env, BIRD_ROOT: layout.root } });
    // A start that fails later (no such file) only leaves the index to the next read, which says so.
    child.on('error', () => {});
    child.unref();
    return true;
  } catch {
    // spawn itself refused (no process slots): this read still answers from the store
    return false;
  }
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
