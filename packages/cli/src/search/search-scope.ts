// Which rows a search looks at (the filter modes), and each distinct command's count and most
// recent run among them: what the list shows, and the orders the matcher ranks within.
import { forEachRowChunk, rowOf, UNKNOWN_EXIT, type HistoryIndex, type RowChunk, type RowColumn } from '@bird/history-index';
import type { Scope } from './search-choices.ts';

export { SCOPES, type Scope } from './search-choices.ts';

export interface SearchFilter {
  scope: Scope;
  /** `_source` to keep (`local`, a remote's name), or null for all. */
  source: string | null;
  onlySuccessful: boolean;
}

/** Where the search was started from: what "this host", "this session"… mean. */
export interface SearchContext {
  host: string;
  session: string | null;
  cwd: string;
  /** The git work tree `cwd` is in, or null. */
  workspace: string | null;
}

export interface ScopedCommands {
  /** Per command (index into `index.commands`): runs in scope, and the row of the latest (-1: none). */
  count: Uint32Array;
  lastRow: Int32Array;
  /** Commands in scope, most recently run first. */
  byRecency: Uint32Array;
  /** Commands in scope by frecency (see {@link frecency}), best first. */
  byFrecency: Uint32Array;
  /** Rows in scope. */
  rows: number;
}

/**
 * Recency with frequency folded in: each doubling of a command's count is worth a day of
 * recency, so a command run 64 times last week ranks with one run once yesterday.
 */
export function frecency(lastUs: number, count: number): number {
  return lastUs / 1e6 + 86_400 * Math.log2(Math.max(1, count));
}

/** Does path `dir` lie in `root` (or is it `root`)? */
export function isWithin(dir: string, root: string): boolean {
  if (root === '/') return dir.startsWith('/');
  return dir === root || dir.startsWith(root.endsWith('/') ? root : `${root}/`);
}

/** A predicate per interned value, computed once per table rather than once per row. */
function matchingValues(values: readonly string[], keep: (value: string) => boolean): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = keep(values[i]!) ? 1 : 0;
  return out;
}

/** Rows the search leaves out whatever the filter (forgotten ones): 1 each, by row of the index; null for none. */
export type HiddenRows = Uint8Array | null;

/** The filter's lookups, done once: each -2 when the filter does not look at that column. */
function filterLookups(index: HistoryIndex, filter: SearchFilter, context: SearchContext) {
  const everyDir = filter.scope !== 'directory' && filter.scope !== 'workspace';
  const dirs = everyDir
    ? null
    : matchingValues(index.dirs, filter.scope === 'directory' || context.workspace === null ? (d) => d === context.cwd : (d) => isWithin(d, context.workspace!));
  const host = filter.scope === 'host' ? index.hosts.indexOf(context.host) : -2;
  const session = filter.scope === 'session' ? (context.session === null ? -1 : index.sessions.indexOf(context.session)) : -2;
  const source = filter.source === null ? -2 : index.sources.indexOf(filter.source);
  return { dirs, host, session, source, onlySuccessful: filter.onlySuccessful };
}

/**
 * Calls `each` with every row in scope, newest first: its number, command and start. Reads the
 * columns the filter needs a chunk at a time (an index read in place keeps none).
 */
export function forEachRowInScope(index: HistoryIndex, filter: SearchFilter, context: SearchContext, hidden: HiddenRows, each: (row: number, command: number, startUs: number) => void): void {
  const { dirs, host, session, source, onlySuccessful } = filterLookups(index, filter, context);
  const columns: RowColumn[] = ['cmd', 'timestampUs'];
  if (dirs !== null) columns.push('cwd');
  if (host !== -2) columns.push('host');
  if (session !== -2) columns.push('session');
  if (source !== -2) columns.push('source');
  if (onlySuccessful) columns.push('exitCode');
  forEachRowChunk(
    index,
    columns,
    (chunk: Partial<RowChunk<RowColumn>>, from, size) => {
      const cmd = chunk.cmd!;
      const start = chunk.timestampUs!;
      for (let k = size - 1; k >= 0; k--) {
        if (hidden !== null && hidden[from + k]) continue;
        if (host !== -2 && chunk.host![k] !== host) continue;
        if (session !== -2 && chunk.session![k] !== session) continue;
        if (source !== -2 && chunk.source![k] !== source) continue;
        if (dirs !== null && dirs[chunk.cwd![k]!] !== 1) continue;
        if (onlySuccessful && chunk.exitCode![k] !== 0) continue;
        each(from + k, cmd[k]!, start[k]!);
      }
    },
    { backwards: true },
  );
}

/**
 * One pass over every row in scope, newest first, a chunk of columns at a time (an index read in place
 * keeps none: index-in-place.ts): a command is met first at its latest run in scope, so the
 * order by recency comes out of the pass with no sort, and only the latest run's start is kept.
 */
export function scopeCommands(index: HistoryIndex, filter: SearchFilter, context: SearchContext, hidden: HiddenRows = null): ScopedCommands {
  const n = index.commands.length;
  const count = new Uint32Array(n);
  const lastRow = new Int32Array(n).fill(-1);
  /** The latest run's start. */
  const lastUs = new Float64Array(n);
  const recency = new Uint32Array(n);
  let distinct = 0;
  let rows = 0;
  forEachRowInScope(index, filter, context, hidden, (r, c, startUs) => {
    if (count[c]!++ === 0) {
      lastRow[c] = r;
      lastUs[c] = startUs;
      recency[distinct++] = c;
    }
    rows++;
  });
  const byRecency = recency.subarray(0, distinct);
  return { count, lastRow, byRecency, byFrecency: frecencyOrder(byRecency, count, lastRow, lastUs), rows };
}

/**
 * `byRecency` by frecency, best first, ties by latest run: what sorting it by (frecency, last
 * row) gives, without a sort. Commands of one count get the same bonus, so in recency order they
 * are in frecency order already: the order is a merge of one run per count, and there are few
 * counts. (A sort with a comparator took seconds and ~60 MB of heap at 3.3M commands.)
 */
export function frecencyOrder(byRecency: Uint32Array, count: Uint32Array, lastRow: Int32Array, lastUs: Float64Array): Uint32Array {
  // The runs, each in recency order, one after another in `runs`.
  const runOf = new Map<number, number>();
  const sizes: number[] = [];
  for (const c of byRecency) {
    let run = runOf.get(count[c]!);
    if (run === undefined) runOf.set(count[c]!, (run = sizes.push(0) - 1));
    sizes[run]!++;
  }
  const next = new Uint32Array(sizes.length);
  const ends = new Uint32Array(sizes.length);
  for (let run = 0, at = 0; run < sizes.length; run++) {
    next[run] = at;
    ends[run] = at += sizes[run]!;
  }
  const runs = new Uint32Array(byRecency.length);
  const fill = next.slice();
  for (const c of byRecency) runs[fill[runOf.get(count[c]!)!]!++] = c;
  // A heap of the runs by their next command, best on top.
  const score = new Float64Array(sizes.length);
  const heap: number[] = [];
  const better = (a: number, b: number) => score[a]! > score[b]! || (score[a] === score[b] && lastRow[runs[next[a]!]!]! > lastRow[runs[next[b]!]!]!);
  const head = (run: number) => {
    const c = runs[next[run]!]!;
    score[run] = frecency(lastUs[c]!, count[c]!);
  };
  const down = (k: number) => {
    for (;;) {
      let best = k;
      const left = 2 * k + 1;
      if (left < heap.length && better(heap[left]!, heap[best]!)) best = left;
      if (left + 1 < heap.length && better(heap[left + 1]!, heap[best]!)) best = left + 1;
      if (best === k) return;
      [heap[k], heap[best]] = [heap[best]!, heap[k]!];
      k = best;
    }
  };
  for (let run = 0; run < sizes.length; run++) {
    head(run);
    heap.push(run);
  }
  for (let k = (heap.length >> 1) - 1; k >= 0; k--) down(k);
  const out = new Uint32Array(byRecency.length);
  for (let k = 0; k < out.length; k++) {
    const run = heap[0]!;
    out[k] = runs[next[run]!++]!;
    if (next[run]! < ends[run]!) head(run);
    else {
      const last = heap.pop()!;
      if (heap.length > 0) heap[0] = last;
    }
    if (heap.length > 0) down(0);
  }
  return out;
}

/**
 * The scope after rows of one command were hidden or shown again (a forget, or one that failed):
 * what scopeCommands would give, with only that command counted again and put in its place in
 * both orders, instead of every row and command (~20 ms at 100,000 rows on a loaded machine).
 * New arrays: the matcher tells candidates apart by identity.
 */
export function rescopeCommand(index: HistoryIndex, scoped: ScopedCommands, command: number, filter: SearchFilter, context: SearchContext, hidden: HiddenRows): ScopedCommands {
  let runs = 0;
  let last = -1;
  let lastUs = 0;
  forEachRowInScope(index, filter, context, hidden, (r, c, startUs) => {
    if (c !== command) return;
    if (runs++ === 0) [last, lastUs] = [r, startUs];
  });
  const count = scoped.count.slice();
  const lastRow = scoped.lastRow.slice();
  count[command] = runs;
  lastRow[command] = last;
  let byRecency: Uint32Array = scoped.byRecency.filter((c) => c !== command);
  let byFrecency: Uint32Array = scoped.byFrecency.filter((c) => c !== command);
  if (runs > 0) {
    // The other commands' latest starts, read where they lie: a binary search reads a few.
    const score = (c: number) => frecency(c === command ? lastUs : rowOf(index, lastRow[c]!).timestampUs, count[c]!);
    const mine = score(command);
    byRecency = insertWhere(byRecency, command, (c) => lastRow[c]! > last);
    byFrecency = insertWhere(byFrecency, command, (c) => score(c) > mine || (score(c) === mine && lastRow[c]! > last));
  }
  return { count, lastRow, byRecency, byFrecency, rows: scoped.rows - scoped.count[command]! + runs };
}

/** `list` with `value` inserted after the entries that go before it (`before` holds for a prefix of the list). */
function insertWhere(list: Uint32Array, value: number, before: (entry: number) => boolean): Uint32Array {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(list[mid]!)) lo = mid + 1;
    else hi = mid;
  }
  const out = new Uint32Array(list.length + 1);
  out.set(list.subarray(0, lo));
  out[lo] = value;
  out.set(list.subarray(lo), lo + 1);
  return out;
}

/** What Ctrl-O shows for one command, over the rows in scope. */
export interface CommandDetails {
  cmd: string;
  runs: number;
  firstUs: number;
  lastUs: number;
  /** Mean over runs with a known duration; NaN when none. */
  meanDurationMs: number;
  /** Exit code → runs, most frequent first; unknown exit codes as `null`. */
  exits: { code: number | null; runs: number }[];
  /** Commands just before and after its latest run, in the same session, oldest first. */
  before: string[];
  after: string[];
  /** The latest run's directory, for the "cd there" action. */
  cwd: string;
  /** The latest run: its row of the index, id (what its stored output and events are found by), and where and how it ran. */
  row: number;
  id: string;
  durationMs: number;
  /** {@link UNKNOWN_EXIT} when not known. */
  exitCode: number;
  host: string;
  session: string;
  source: string;
}

/**
 * `hidden`: rows left out (forgotten): not counted, and not among the commands before and after.
 * Two passes over the columns it needs, a chunk at a time (an index read in place holds none).
 */
export function commandDetails(index: HistoryIndex, command: number, scope: ScopedCommands, hidden: HiddenRows = null, around = 3): CommandDetails {
  const shown = (r: number) => hidden === null || !hidden[r];
  let runs = 0;
  let firstUs = Infinity;
  let lastUs = -Infinity;
  let durationSum = 0;
  let durations = 0;
  let lastShown = -1;
  const exits = new Map<number, number>();
  forEachRowChunk(index, ['cmd', 'timestampUs', 'durationMs', 'exitCode'], (chunk, from, n) => {
    for (let k = 0; k < n; k++) {
      if (chunk.cmd[k] !== command || !shown(from + k)) continue;
      runs++;
      lastShown = from + k;
      firstUs = Math.min(firstUs, chunk.timestampUs[k]!);
      lastUs = Math.max(lastUs, chunk.timestampUs[k]!);
      const d = chunk.durationMs[k]!;
      if (!Number.isNaN(d)) {
        durationSum += d;
        durations++;
      }
      exits.set(chunk.exitCode[k]!, (exits.get(chunk.exitCode[k]!) ?? 0) + 1);
    }
  });
  const latest = scope.lastRow[command]! >= 0 ? scope.lastRow[command]! : lastShown;
  const row = rowOf(index, latest);
  const session = index.sessions.indexOf(row.session);
  // The `around` rows of its session just before the latest run, and just after.
  const before: number[] = [];
  const after: number[] = [];
  forEachRowChunk(index, ['session', 'cmd'], (chunk, from, n) => {
    for (let k = 0; k < n; k++) {
      const r = from + k;
      if (r === latest || chunk.session[k] !== session || !shown(r)) continue;
      if (r < latest) {
        before.push(chunk.cmd[k]!);
        if (before.length > around) before.shift();
      } else if (after.length < around) after.push(chunk.cmd[k]!);
    }
  });
  return {
    cmd: index.commands[command]!,
    runs,
    firstUs,
    lastUs,
    meanDurationMs: durations > 0 ? durationSum / durations : NaN,
    exits: [...exits].map(([code, n]) => ({ code: code === UNKNOWN_EXIT ? null : code, runs: n })).sort((a, b) => b.runs - a.runs || (a.code ?? Infinity) - (b.code ?? Infinity)),
    before: before.map((c) => index.commands[c]!),
    after: after.map((c) => index.commands[c]!),
    cwd: row.cwd,
    row: latest,
    id: row.id,
    durationMs: row.durationMs ?? NaN,
    exitCode: row.exitCode ?? UNKNOWN_EXIT,
    host: row.host,
    session: row.session,
    source: row.source,
  };
}
