// Which rows a search looks at (the filter modes), and each distinct command's count and most
// recent run among them: what the list shows, and the orders the matcher ranks within.
import { forEachRowChunk, idText, UNKNOWN_EXIT, type HistoryIndex, type RowChunk, type RowColumn } from '@bird/history-index';
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

/** The filter as a test of one row, its lookups done once. */
export function rowsInScope(index: HistoryIndex, filter: SearchFilter, context: SearchContext, hidden: HiddenRows): (row: number) => boolean {
  const { dirs, host, session, source, onlySuccessful } = filterLookups(index, filter, context);
  return (r) =>
    !(hidden !== null && hidden[r]) &&
    (host === -2 || index.host[r] === host) &&
    (session === -2 || index.session[r] === session) &&
    (source === -2 || index.source[r] === source) &&
    (dirs === null || dirs[index.cwd[r]!] === 1) &&
    (!onlySuccessful || index.exitCode[r] === 0);
}

/**
 * One pass over every row, newest first, a chunk of columns at a time (an index read in place
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
  const { dirs, host, session, source, onlySuccessful } = filterLookups(index, filter, context);
  const columns: RowColumn[] = ['cmd', 'timestampUs'];
  if (dirs !== null) columns.push('cwd');
  if (host !== -2) columns.push('host');
  if (session !== -2) columns.push('session');
  if (source !== -2) columns.push('source');
  if (onlySuccessful) columns.push('exitCode');
  let rows = 0;
  forEachRowChunk(index, columns, (chunk: Partial<RowChunk<RowColumn>>, from, size) => {
    const cmd = chunk.cmd!;
    const start = chunk.timestampUs!;
    for (let k = size - 1; k >= 0; k--) {
      if (hidden !== null && hidden[from + k]) continue;
      if (host !== -2 && chunk.host![k] !== host) continue;
      if (session !== -2 && chunk.session![k] !== session) continue;
      if (source !== -2 && chunk.source![k] !== source) continue;
      if (dirs !== null && dirs[chunk.cwd![k]!] !== 1) continue;
      if (onlySuccessful && chunk.exitCode![k] !== 0) continue;
      const c = cmd[k]!;
      if (count[c]!++ === 0) {
        lastRow[c] = from + k;
        lastUs[c] = start[k]!;
        recency[distinct++] = c;
      }
      rows++;
    }
  }, { backwards: true });
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
  const inScope = rowsInScope(index, filter, context, hidden);
  let runs = 0;
  let last = -1;
  for (let r = 0; r < index.size; r++) {
    if (index.cmd[r] !== command || !inScope(r)) continue;
    runs++;
    last = r;
  }
  const count = scoped.count.slice();
  const lastRow = scoped.lastRow.slice();
  count[command] = runs;
  lastRow[command] = last;
  let byRecency: Uint32Array = scoped.byRecency.filter((c) => c !== command);
  let byFrecency: Uint32Array = scoped.byFrecency.filter((c) => c !== command);
  if (runs > 0) {
    const score = (c: number) => frecency(index.timestampUs[lastRow[c]!]!, count[c]!);
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

/** `hidden`: rows left out (forgotten): not counted, and not among the commands before and after. */
export function commandDetails(index: HistoryIndex, command: number, scope: ScopedCommands, hidden: HiddenRows = null, around = 3): CommandDetails {
  const shown = (r: number) => hidden === null || !hidden[r];
  let runs = 0;
  let firstUs = Infinity;
  let lastUs = -Infinity;
  let durationSum = 0;
  let durations = 0;
  const exits = new Map<number, number>();
  for (let r = 0; r < index.size; r++) {
    if (index.cmd[r] !== command || !shown(r)) continue;
    runs++;
    firstUs = Math.min(firstUs, index.timestampUs[r]!);
    lastUs = Math.max(lastUs, index.timestampUs[r]!);
    const d = index.durationMs[r]!;
    if (!Number.isNaN(d)) {
      durationSum += d;
      durations++;
    }
    exits.set(index.exitCode[r]!, (exits.get(index.exitCode[r]!) ?? 0) + 1);
  }
  const latest = scope.lastRow[command]! >= 0 ? scope.lastRow[command]! : lastRowOf(index, command, shown);
  const session = index.session[latest]!;
  const before: string[] = [];
  for (let r = latest - 1; r >= 0 && before.length < around; r--) if (index.session[r] === session && shown(r)) before.unshift(index.commands[index.cmd[r]!]!);
  const after: string[] = [];
  for (let r = latest + 1; r < index.size && after.length < around; r++) if (index.session[r] === session && shown(r)) after.push(index.commands[index.cmd[r]!]!);
  return {
    cmd: index.commands[command]!,
    runs,
    firstUs,
    lastUs,
    meanDurationMs: durations > 0 ? durationSum / durations : NaN,
    exits: [...exits].map(([code, n]) => ({ code: code === UNKNOWN_EXIT ? null : code, runs: n })).sort((a, b) => b.runs - a.runs || (a.code ?? Infinity) - (b.code ?? Infinity)),
    before,
    after,
    cwd: index.dirs[index.cwd[latest]!]!,
    row: latest,
    id: idText(index.ids, latest),
    durationMs: index.durationMs[latest]!,
    exitCode: index.exitCode[latest]!,
    host: index.hosts[index.host[latest]!]!,
    session: index.sessions[session]!,
    source: index.sources[index.source[latest]!]!,
  };
}

function lastRowOf(index: HistoryIndex, command: number, shown: (row: number) => boolean): number {
  for (let r = index.size - 1; r >= 0; r--) if (index.cmd[r] === command && shown(r)) return r;
  return -1;
}
