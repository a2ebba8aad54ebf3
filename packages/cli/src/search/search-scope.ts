// Which rows a search looks at (the filter modes), and each distinct command's count and most
// recent run among them: what the list shows, and the orders the matcher ranks within.
import { UNKNOWN_EXIT, type HistoryIndex } from '@bird/history-index';
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

export function scopeCommands(index: HistoryIndex, filter: SearchFilter, context: SearchContext): ScopedCommands {
  const n = index.commands.length;
  const count = new Uint32Array(n);
  const lastRow = new Int32Array(n).fill(-1);
  const everyDir = filter.scope !== 'directory' && filter.scope !== 'workspace';
  const dirs = everyDir
    ? null
    : matchingValues(index.dirs, filter.scope === 'directory' || context.workspace === null ? (d) => d === context.cwd : (d) => isWithin(d, context.workspace!));
  const host = filter.scope === 'host' ? index.hosts.indexOf(context.host) : -2;
  const session = filter.scope === 'session' ? (context.session === null ? -1 : index.sessions.indexOf(context.session)) : -2;
  const source = filter.source === null ? -2 : index.sources.indexOf(filter.source);
  let rows = 0;
  for (let r = 0; r < index.size; r++) {
    if (host !== -2 && index.host[r] !== host) continue;
    if (session !== -2 && index.session[r] !== session) continue;
    if (source !== -2 && index.source[r] !== source) continue;
    if (dirs !== null && dirs[index.cwd[r]!] === 0) continue;
    if (filter.onlySuccessful && index.exitCode[r] !== 0) continue;
    const c = index.cmd[r]!;
    count[c]! += 1;
    lastRow[c] = r; // rows are in start order: the last one seen is the latest
    rows++;
  }
  const byRecency = commandsByLatest(index, count, lastRow);
  const scores = new Float64Array(n);
  for (const c of byRecency) scores[c] = frecency(index.timestampUs[lastRow[c]!]!, count[c]!);
  const byFrecency = Uint32Array.from(byRecency).sort((a, b) => scores[b]! - scores[a]! || lastRow[b]! - lastRow[a]!);
  return { count, lastRow, byRecency, byFrecency, rows };
}

function commandsByLatest(index: HistoryIndex, count: Uint32Array, lastRow: Int32Array): Uint32Array {
  // Latest rows first: walking rows backwards meets each command at its latest run first.
  const out: number[] = [];
  for (let r = index.size - 1; r >= 0; r--) {
    const c = index.cmd[r]!;
    if (count[c]! > 0 && lastRow[c] === r) out.push(c);
  }
  return Uint32Array.from(out);
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
}

export function commandDetails(index: HistoryIndex, command: number, scope: ScopedCommands, around = 3): CommandDetails {
  let runs = 0;
  let firstUs = Infinity;
  let lastUs = -Infinity;
  let durationSum = 0;
  let durations = 0;
  const exits = new Map<number, number>();
  for (let r = 0; r < index.size; r++) {
    if (index.cmd[r] !== command) continue;
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
  const latest = scope.lastRow[command]! >= 0 ? scope.lastRow[command]! : lastRowOf(index, command);
  const session = index.session[latest]!;
  const before: string[] = [];
  for (let r = latest - 1; r >= 0 && before.length < around; r--) if (index.session[r] === session) before.unshift(index.commands[index.cmd[r]!]!);
  const after: string[] = [];
  for (let r = latest + 1; r < index.size && after.length < around; r++) if (index.session[r] === session) after.push(index.commands[index.cmd[r]!]!);
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
  };
}

function lastRowOf(index: HistoryIndex, command: number): number {
  for (let r = index.size - 1; r >= 0; r--) if (index.cmd[r] === command) return r;
  return -1;
}
