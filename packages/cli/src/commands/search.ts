import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BirdError, DEFAULT_SEARCH, findProjectStore, loadConfig, shortHostname, usageError, uuidv7 } from '@bird/core';
import { DamagedSnapshot, invalidateIndex, UNKNOWN_EXIT, type HistoryIndex } from '@bird/history-index';
import { parseCommand, usageOf } from '../args.ts';
import { COMMAND_SPECS } from '../command-specs.ts';
import type { CliContext } from '../context.ts';
import { escapeJsonForTerminal, escapePlain } from '../format/text-width.ts';
import { openHistory, openRecentOrStore, projectHistoryRows } from '../history-source.ts';
import { isoMicros, parseCount } from '../history-view.ts';
import { layoutOf } from '../layout.ts';
import type { SearchContext } from '../search/search-scope.ts';
import type { LazyReads } from '../search/search-terminal.ts';
import { replayTypeahead, SearchSession, type Key, type SearchOutcome } from '../search/search-session.ts';

const DEFAULT_LIMIT = 50;

/**
 * What a key binding gets back (`--shell`): exit 0 with `insert\n[run]\n<command>` or
 * `cd\n[run]\n<dir>` on stdout (`run`: an Enter was typed right after, so the shell runs the
 * line as well); exit 1 when the search was left (the line stays as it was); any other exit
 * means the search could not run, and the binding falls back to the shell's own search.
 */
export const CANCELLED = 1;
export const UNAVAILABLE = 3;

/** The git work tree `dir` is in: the nearest folder above it holding `.git`, or null. */
export function workspaceOf(dir: string): string | null {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return null;
  }
}

/** BIRD_SEARCH_HEIGHT, when set. */
function heightFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const text = env.BIRD_SEARCH_HEIGHT;
  if (text === undefined || text === '') return undefined;
  const height = parseCount(text);
  if (height === undefined) throw usageError(`BIRD_SEARCH_HEIGHT must be a whole number of at least 1, not ${JSON.stringify(text)}; set it to the lines the search may take, or unset it.`);
  return height;
}

/** `[search] height` from config.toml; a broken config is the store's to report, not the search's. */
function configuredHeight(ctx: CliContext): number {
  try {
    return loadConfig(layoutOf(ctx)).search.height;
  } catch {
    // a broken config is reported by the store, not by the search's height
    return DEFAULT_SEARCH.height;
  }
}

/**
 * `bird search [QUERY]`: interactive on a terminal (or for a key binding), else prints matches.
 * An output format asked for (`--format`, `-0`) means print, on a terminal too.
 */
export async function run(args: string[], ctx: CliContext): Promise<void> {
  const { values, operands } = parseCommand(COMMAND_SPECS.search, args);
  const printed = values.output;
  if (printed !== undefined && operands.length > 0) throw usageError(`give a QUERY or --output TEXT, not both: --output looks for TEXT in what commands printed; usage: ${usageOf(COMMAND_SPECS.search)}`);
  const query = printed ?? operands.join(' ');
  const outputSearch = printed !== undefined;
  const mode = values.mode ?? 'fuzzy';
  const scope = values.filter ?? 'everywhere';
  const format = values.format ?? 'plain';
  const shell = values.shell;
  const limit = values.limit ?? DEFAULT_LIMIT;
  const height = values.height ?? heightFromEnv(ctx.env) ?? configuredHeight(ctx);
  const context: SearchContext = {
    host: shortHostname(),
    session: values.session ?? null,
    cwd: ctx.cwd,
    workspace: workspaceOf(ctx.cwd),
  };
  const interactive = shell !== undefined || (ctx.stdout.isTTY && values.format === undefined && values.print0 !== true);

  if (!interactive) {
    // Together: the history index is read while DuckDB reads the outputs rows on its own threads.
    const [{ index }, outputs] = await Promise.all([openHistory(ctx), outputSearch ? import('../search/output-corpus.ts').then((m) => m.loadOutputCorpus(ctx)) : undefined]);
    const session = new SearchSession(index, context, { query, mode, scope, rows: limit, outputSearch, outputs });
    const picks = session.results.slice(0, limit);
    if (format === 'json') {
      const rows = picks.map((c) => {
        const r = session.scope.lastRow[c]!;
        const exit = index.exitCode[r]!;
        const duration = index.durationMs[r]!;
        return {
          cmd: index.commands[c],
          count: session.scope.count[c],
          last: isoMicros(index.timestampUs[r]!),
          exit_code: exit === UNKNOWN_EXIT ? null : exit,
          duration_ms: Number.isNaN(duration) ? null : duration,
          cwd: index.dirs[index.cwd[r]!],
          source: index.sources[index.source[r]!],
        };
      });
      // Control and bidi characters as \uXXXX: still the exact values, and nothing a terminal acts on.
      ctx.stdout.write(`${escapeJsonForTerminal(JSON.stringify(rows, null, 2))}\n`);
      return;
    }
    // -0 is the one form that carries the stored bytes as they are (a command holds no NUL): it
    // is for programs that take commands back (`fzf --read0`, `xargs -0`), not for a screen.
    if (values.print0) for (const c of picks) ctx.stdout.write(`${index.commands[c]}\0`);
    // Plain, one per line: a newline as `\n`, a backslash as `\\`, so either reads back.
    else for (const c of picks) ctx.stdout.write(`${escapePlain(index.commands[c]!)}\n`);
    return;
  }

  let outcome: SearchOutcome;
  let typeahead: Key[] = [];
  try {
    const { openTerminal, runOnTerminal } = await import('../search/search-terminal.ts');
    const { forgetFromSearch } = await import('../search/search-forget.ts');
    const terminal = openTerminal();
    try {
      // On the line below the prompt (made first, scrolling if the prompt is at the foot of the
      // screen), which the first frame then draws over: never on the prompt itself.
      const building = () => terminal.output.write('\n\x1b[1A\r\x1b7\x1b[1B\x1b[2Kbird: building the search index (once)…\x1b8');
      // Only whether there is one (a few stat calls): its commands are read when chosen (Ctrl-T).
      const projectStore = findProjectStore(ctx.cwd, layoutOf(ctx).root, ctx.env.HOME)?.found === true;
      const options = { query, mode, scope, rows: height - 2, outputSearch, projectStore };
      const { first, rest } = await firstSession(ctx, building, query, (index, partial) => new SearchSession(index, context, { ...options, partial }));
      const afterFirstFrame = () => {
        const whole = rest();
        setImmediate(() => (whole ?? first).warmUp());
        return whole;
      };
      const reads: LazyReads = {
        stored: async (id) => (await import('../search/stored-details.ts')).readStoredDetails(ctx, id),
        outputs: async () => (await import('../search/output-corpus.ts')).loadOutputCorpus(ctx),
        projectRows: () => projectHistoryRows(ctx),
      };
      const style = { color: ctx.env.NO_COLOR === undefined || ctx.env.NO_COLOR === '', home: ctx.env.HOME };
      ({ outcome, typeahead } = await runOnTerminal(first, terminal, height, style, afterFirstFrame, forgetFromSearch(ctx), reads));
    } finally {
      terminal.close();
    }
  } catch (error) {
    // From a key binding, a search that cannot run must not leave an error on the prompt: the
    // binding falls back to the shell's own search on this exit code.
    if (shell !== undefined) throw new BirdError(`bird search could not run (${(error as Error).message})`, { exitCode: UNAVAILABLE });
    throw error;
  }
  const next = replayTypeahead(typeahead);
  if (outcome.kind === 'cancel') {
    // Left with Esc: the line stays as it was, with whatever was typed after Esc in the same breath.
    if (shell === undefined || (next.text === '' && !next.run)) throw new BirdError('', { exitCode: CANCELLED });
    outcome = { kind: 'edit', cmd: query };
  }
  if (shell !== undefined) {
    // For the key binding's `$(…)`, not a screen: the command's own bytes, which the shell puts
    // on its command line (and shows with its own escaping). Line 1: what to do; line 2: `run`
    // when an Enter typed after asks to run it; then the text.
    ctx.stdout.write(outcome.kind === 'cd' ? `cd\n${next.run ? 'run' : ''}\n${outcome.dir}` : `insert\n${next.run ? 'run' : ''}\n${outcome.cmd}${next.text}`);
    return;
  }
  // Run from a prompt by hand: print what was chosen, in the plain form (a binding puts it on the command line instead).
  ctx.stdout.write(`${escapePlain(outcome.kind === 'cd' ? outcome.dir : outcome.cmd)}\n`);
}

/**
 * Commands searched while the index is rebuilt (a large store whose index is missing or stale),
 * read from the store newest first. Each row read costs JS objects and strings: at 1M rows and a
 * load of ~4, 100,000 of them took the first frame to 4.9-8.4 s, where DuckDB's query alone
 * (`bird history` through the same path) takes ~2 s.
 */
const STORE_ROWS = 20_000;

/** Rows the first frame of an empty query is drawn from: enough for a screen of distinct commands. */
const FIRST_FRAME_ROWS = 2048;

/**
 * The session the first frame is drawn from, and `rest`, which reads the whole index for the
 * session that replaces it (null when the first is already whole). With an empty query the
 * newest rows say exactly which commands ran last and where (their counts wait for the rest);
 * a query's best matches need every row, so it reads them all first.
 */
async function firstSession(
  ctx: CliContext,
  onRebuild: () => void,
  query: string,
  make: (index: HistoryIndex, partial: boolean) => SearchSession,
): Promise<{ first: SearchSession; rest: () => SearchSession | null }> {
  // A large store whose index must be rebuilt is not waited for: its newest commands are read
  // from the store and searched while `bird-sync index` rebuilds it, and the status line says so.
  const opened = await openRecentOrStore(ctx, { onRebuild, notice: () => {} });
  if ('store' in opened) {
    try {
      const { index } = await opened.store.newest(STORE_ROWS);
      const first = make(index, false);
      first.notice = { kind: 'index-rebuilding', rows: index.size };
      return { first, rest: () => null };
    } finally {
      opened.store.close();
    }
  }
  const { recent } = opened;
  let open = false;
  try {
    if (query.trim() !== '') return { first: make(recent.inPlace(), false), rest: () => null };
    const newest = recent.newest(FIRST_FRAME_ROWS);
    if (newest.complete) return { first: make(newest.index, false), rest: () => null };
    open = true;
    const rest = () => {
      try {
        return make(recent.inPlace(), false);
      } catch (error) {
        if (!(error instanceof DamagedSnapshot)) throw error;
        // Found only now, after a frame: too late to rebuild here, so the next search does.
        const indexDir = layoutOf(ctx).historyIndex;
        invalidateIndex(indexDir, uuidv7(Date.now()));
        throw new Error(`the history index in ${indexDir} is damaged (${error.message}); the next search rebuilds it`);
      } finally {
        recent.close();
      }
    };
    return { first: make(newest.index, true), rest };
  } catch (error) {
    if (!(error instanceof DamagedSnapshot)) throw error;
    // Damage in a part read in place: the whole read checks it all, and rebuilds.
    return { first: make((await openHistory(ctx, onRebuild)).index, false), rest: () => null };
  } finally {
    if (!open) recent.close();
  }
}
