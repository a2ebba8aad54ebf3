// `bird history` as people read it: local time, exit status, a short duration, ~ for home.
import { UNKNOWN_EXIT, type HistoryIndex, type NewestRows, type RecentHistory } from '@bird/history-index';
import { folderText, folderWidth } from './format/folder-text.ts';
import type { ResultSet } from './format/result-set.ts';
import { GAP, type Align, type TextTable } from './format/table.ts';
import { displayWidth, escapePlain, truncateStartToWidth, truncateToWidth } from './format/text-width.ts';
import { ago, formatDuration } from './format/time-text.ts';
import { plainText, readableTimestamp } from './format/values.ts';
import { rowMatcher, type RowFilter } from './row-filter.ts';
import { foldForQuery } from './search/text-fold.ts';

/**
 * The columns `bird history` gives, as `bird sql` would type them. Where a row came from is
 * last, so that a reader of the first five columns by position is not disturbed by it.
 */
const HISTORY_COLUMNS = [
  { name: 'timestamp', type: 'TIMESTAMP WITH TIME ZONE' },
  { name: 'exit_code', type: 'INTEGER' },
  { name: 'duration_ms', type: 'BIGINT' },
  { name: 'cwd', type: 'VARCHAR' },
  { name: 'cmd', type: 'VARCHAR' },
  { name: 'hostname', type: 'VARCHAR' },
  { name: '_source', type: 'VARCHAR' },
] as const;

/** The `_source` of rows captured here; every other source is a remote's name. */
export const LOCAL_SOURCE = 'local';

/**
 * Where a row came from, for people: nothing for this machine's own rows, `host@remote` for a
 * row pulled from a remote (`@remote` when its host is unknown), as search shows `@remote`.
 */
export function originMark(source: string, host = ''): string {
  return source === LOCAL_SOURCE ? '' : `${host}@${source}`;
}

/** Epoch microseconds as DuckDB prints a TIMESTAMPTZ in UTC: `2025-11-26T23:36:20.000000Z`. */
export function isoMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const micros = String(Math.round(us - ms * 1000)).padStart(3, '0');
  return `${new Date(ms).toISOString().slice(0, -1)}${micros}Z`;
}

export interface HistoryOptions {
  /**
   * Only commands containing this text; smart case and accents, as the search: case matters only
   * when it holds an uppercase letter, accents only when it holds an accented one.
   */
  text?: string;
  /** The same rows oldest first, as the shell's own `history` prints them. */
  reverse?: boolean;
  /** Only rows of this host or source (`--host`, `--source`), as `bird stats` counts them. */
  filter?: RowFilter;
}

/** The last `limit` rows of the index, newest first (the index is in start order, ids breaking ties). */
export function historyResult(index: HistoryIndex, limit: number, options: HistoryOptions = {}): ResultSet {
  const text = options.text ?? '';
  const fold = foldForQuery(text);
  // Decided once per distinct command, not once per row.
  const wanted = text === '' ? null : index.commands.map((c) => fold(c).includes(text));
  const { first, matches } = rowMatcher(index, options.filter ?? {});
  const rows: unknown[][] = [];
  for (let r = index.size - 1; r >= first && rows.length < limit; r--) {
    if (wanted && !wanted[index.cmd[r]!]) continue;
    if (!matches(r)) continue;
    const exit = index.exitCode[r]!;
    const duration = index.durationMs[r]!;
    const host = index.hosts[index.host[r]!]!;
    rows.push([
      isoMicros(index.timestampUs[r]!),
      exit === UNKNOWN_EXIT ? null : exit,
      Number.isNaN(duration) ? null : duration,
      index.dirs[index.cwd[r]!] ?? null,
      index.commands[index.cmd[r]!],
      host === '' ? null : host, // the index keeps an unknown host as ''
      index.sources[index.source[r]!],
    ]);
  }
  if (options.reverse) rows.reverse();
  return { columns: HISTORY_COLUMNS, rows };
}

/** Rows read first; a filter that leaves too few reads this many times more, further back. */
const FIRST_READ = 256;
const READ_GROWTH = 8;

/** The newest `count` rows that match, reading back from the newest in growing chunks until there are enough. */
export function newestMatching(recent: RecentHistory, count: number, options: HistoryOptions): { result: ResultSet; empty: boolean } {
  for (let rows = Math.max(FIRST_READ, count * 2); ; rows *= READ_GROWTH) {
    const answer = answerIfEnough(recent.newest(rows), count, options);
    if (answer) return answer;
  }
}

/** The answer from these newest rows, or null when it needs rows further back. */
function answerIfEnough({ index, complete }: NewestRows, count: number, options: HistoryOptions): { result: ResultSet; empty: boolean } | null {
  const result = historyResult(index, count, options);
  return complete || result.rows.length >= count ? { result, empty: complete && index.size === 0 } : null;
}

/** newestMatching over rows read asynchronously (from the store, while the index is rebuilt). */
export async function newestMatchingOf(source: { newest(rows: number): Promise<NewestRows> }, count: number, options: HistoryOptions): Promise<{ result: ResultSet; empty: boolean }> {
  for (let rows = Math.max(FIRST_READ, count * 2); ; rows *= READ_GROWTH) {
    const answer = answerIfEnough(await source.newest(rows), count, options);
    if (answer) return answer;
  }
}

/** `-n` as a count of at least 1. */
export function parseCount(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= 1 ? n : undefined;
}

/** A multi-line command shows this many lines at most; the last then says how many are left out. */
export const MAX_COMMAND_LINES = 5;

/**
 * A command as the lines it was typed in, each escaped: a loop or a heredoc reads as written,
 * not as one line of `\n`s. Past {@link MAX_COMMAND_LINES}, a last line counts the rest.
 */
export function commandLines(cmd: string, escape: (text: string) => string): string[] {
  const lines = cmd.split('\n').map(escape);
  if (lines.length <= MAX_COMMAND_LINES) return lines;
  const shown = lines.slice(0, MAX_COMMAND_LINES - 1);
  return [...shown, `… ${lines.length - shown.length} more lines`];
}

/** How the time column reads: `2025-03-01 12:34:56`, `03-01 12:34`, or how long ago (`3h`). */
export const TIME_FORMS = ['full', 'short', 'ago'] as const;
export type TimeForm = (typeof TIME_FORMS)[number];

/** Columns that give way to the command in a narrow terminal, in this order, richest first. */
const LAYOUTS: readonly { readonly time: TimeForm; readonly duration: boolean }[] = [
  { time: 'full', duration: true },
  { time: 'short', duration: true },
  { time: 'short', duration: false },
  { time: 'ago', duration: false },
];

/** What the command is given before the other columns give way: all it needs, or this share of the width. */
const COMMAND_SHARE = 0.4;

/** The widths each column would need to be shown whole (header included); `from` null when there is no such column. */
export interface NaturalWidths {
  readonly time: Readonly<Record<TimeForm, number>>;
  readonly exit: number;
  readonly duration: number;
  readonly from: number | null;
  readonly cwd: number;
  readonly cmd: number;
}

/** Which time form, whether the duration column is shown, and the widths of the columns that are cut. */
export interface HistoryPlan {
  readonly time: TimeForm;
  readonly duration: boolean;
  readonly from: number | null;
  readonly cwd: number;
  readonly cmd: number;
}

/**
 * The history table in a terminal `width` columns wide. The command gets all it needs or
 * {@link COMMAND_SHARE} of the width: the time shortens, then the duration goes, then the time
 * is how long ago; folders (and origins) get {@link folderWidth}, as in the search, and
 * whatever the command leaves over.
 */
export function planHistoryColumns(natural: NaturalWidths, width: number): HistoryPlan {
  const folder = folderWidth(width);
  const from = natural.from === null ? null : Math.min(natural.from, folder);
  const cwd = Math.min(natural.cwd, folder);
  const want = Math.min(natural.cmd, Math.ceil(width * COMMAND_SHARE));
  let chosen = LAYOUTS[0]!;
  let room = 0;
  for (const layout of LAYOUTS) {
    const fixed = [natural.time[layout.time], natural.exit, ...(layout.duration ? [natural.duration] : []), ...(from === null ? [] : [from]), cwd];
    chosen = layout;
    room = width - fixed.reduce((a, b) => a + b, 0) - GAP.length * fixed.length;
    if (room >= want) break;
  }
  // What the command does not need goes back to the folder, then to the origin.
  let spare = Math.max(0, room - natural.cmd);
  const cwdWidth = cwd + Math.min(spare, natural.cwd - cwd);
  spare -= cwdWidth - cwd;
  const fromWidth = from === null ? null : from + Math.min(spare, natural.from! - from);
  return { ...chosen, from: fromWidth, cwd: cwdWidth, cmd: Math.max(1, Math.min(room, natural.cmd)) };
}

/**
 * Rows of {@link historyResult} as a table; an unknown value (NULL) is left blank. Every value is
 * in the plain form (escapePlain: controls escaped, a backslash doubled), as `bird search`
 * prints commands, and a multi-line command is shown as its lines. A `from` column
 * ({@link originMark}) appears only when a row came from a remote, so this machine's own history
 * reads as it always did. With `maxWidth` (a terminal), the table fits it: see {@link planHistoryColumns}.
 */
export function historyTable(result: ResultSet, home: string | undefined, options: { maxWidth?: number; nowMs?: number } = {}): TextTable {
  const text = (value: unknown) => plainText(value) ?? '';
  const nowMs = options.nowMs ?? Date.now();
  const rows = result.rows.map(([timestamp, exit, duration, cwd, cmd, host, source]) => {
    const full = readableTimestamp(text(timestamp), { fraction: false });
    const at = Date.parse(text(timestamp));
    return {
      time: { full, short: /^\d{4}-/.test(full) ? full.slice(5, 16) : full, ago: Number.isNaN(at) ? full : ago(nowMs - at) },
      exit: text(exit),
      duration: duration === null || duration === undefined ? '' : formatDuration(Number(duration)),
      // Host names in pulled rows were written by other machines: escaped like the rest.
      from: escapePlain(originMark(text(source) || LOCAL_SOURCE, text(host))),
      cwd: text(cwd),
      cmd: commandLines(text(cmd), escapePlain),
    };
  });
  const withOrigin = rows.some((row) => row.from !== '');
  const widest = (header: string, cells: readonly string[]) => cells.reduce((w, cell) => Math.max(w, displayWidth(cell)), displayWidth(header));
  const natural: NaturalWidths = {
    time: { full: widest('time', rows.map((r) => r.time.full)), short: widest('time', rows.map((r) => r.time.short)), ago: widest('time', rows.map((r) => r.time.ago)) },
    exit: widest('exit', rows.map((r) => r.exit)),
    duration: widest('duration', rows.map((r) => r.duration)),
    from: withOrigin ? widest('from', rows.map((r) => r.from)) : null,
    cwd: widest('cwd', rows.map((r) => folderText(r.cwd, home, Infinity, escapePlain))),
    cmd: widest('cmd', rows.flatMap((r) => r.cmd)),
  };
  const plan: HistoryPlan =
    options.maxWidth === undefined ? { time: 'full', duration: true, from: natural.from, cwd: natural.cwd, cmd: natural.cmd } : planHistoryColumns(natural, options.maxWidth);
  const columns: { header: string; align: Align; cell: (row: (typeof rows)[number]) => string }[] = [
    { header: 'time', align: 'left', cell: (r) => r.time[plan.time] },
    { header: 'exit', align: 'right', cell: (r) => r.exit },
    ...(plan.duration ? [{ header: 'duration', align: 'right' as const, cell: (r: (typeof rows)[number]) => r.duration }] : []),
    // A long origin keeps its `@remote`, a long folder its end: `…/project/src` tells rows apart.
    ...(plan.from === null ? [] : [{ header: 'from', align: 'left' as const, cell: (r: (typeof rows)[number]) => truncateStartToWidth(r.from, plan.from!) }]),
    { header: 'cwd', align: 'left', cell: (r) => folderText(r.cwd, home, plan.cwd, escapePlain) },
    { header: 'cmd', align: 'left', cell: (r) => r.cmd.map((line) => truncateToWidth(line, plan.cmd)).join('\n') },
  ];
  return {
    headers: columns.map((c) => c.header),
    align: columns.map((c) => c.align),
    rows: rows.map((row) => columns.map((c) => c.cell(row))),
  };
}
