// `bird history` as people read it: local time, exit status, a short duration, ~ for home.
import { UNKNOWN_EXIT, type HistoryIndex } from '@bird/history-index';
import type { ResultSet } from './format/result-set.ts';
import { rowMatcher, type RowFilter } from './row-filter.ts';
import type { TextTable } from './format/table.ts';
import { escapePlain } from './format/text-width.ts';
import { plainText, readableTimestamp } from './format/values.ts';
import { folderFor } from './search/text-fold.ts';

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
  const fold = folderFor(text);
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

/** `-n` as a count of at least 1. */
export function parseCount(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= 1 ? n : undefined;
}

/** 850 → `850ms`, 1250 → `1.2s`, 184000 → `3m04s`, 7380000 → `2h03m`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return String(ms);
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)}s`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  const minutes = Math.floor(seconds / 60);
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** `/home/ana/src` → `~/src` when home is `/home/ana`. */
export function shortenHome(path: string, home: string | undefined): string {
  if (!home || home === '/') return path;
  const h = home.replace(/\/+$/, '');
  if (path === h) return '~';
  return path.startsWith(`${h}/`) ? `~${path.slice(h.length)}` : path;
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

/**
 * The table's columns. A long folder keeps its end: `…/project/src` tells rows apart where
 * `/home/ana/wor…` does not; a long origin keeps its `@remote`.
 */
const HISTORY_TABLE_COLUMNS = [
  { key: 'time', align: 'left', cuttable: false, cutStart: false },
  { key: 'exit', align: 'right', cuttable: false, cutStart: false },
  { key: 'duration', align: 'right', cuttable: false, cutStart: false },
  { key: 'from', align: 'left', cuttable: true, cutStart: true },
  { key: 'cwd', align: 'left', cuttable: true, cutStart: true },
  { key: 'cmd', align: 'left', cuttable: true, cutStart: false },
] as const;

/**
 * Rows of {@link historyResult} as a table; an unknown value (NULL) is left blank. Every value is
 * in the plain form (escapePlain: controls escaped, a backslash doubled), as `bird search`
 * prints commands, and a multi-line command is shown as its lines. A `from` column
 * ({@link originMark}) appears only when a row came from a remote, so this machine's own history
 * reads as it always did.
 */
export function historyTable(result: ResultSet, home: string | undefined): TextTable {
  const text = (value: unknown) => plainText(value) ?? '';
  const escape = escapePlain;
  const rows = result.rows.map(([timestamp, exit, duration, cwd, cmd, host, source]) => ({
    time: readableTimestamp(text(timestamp), { fraction: false }),
    exit: text(exit),
    duration: duration === null || duration === undefined ? '' : formatDuration(Number(duration)),
    // Host names in pulled rows were written by other machines: escaped like the rest.
    from: escape(originMark(text(source) || LOCAL_SOURCE, text(host))),
    cwd: escape(shortenHome(text(cwd), home)),
    cmd: commandLines(text(cmd), escape).join('\n'),
  }));
  const withOrigin = rows.some((row) => row.from !== '');
  const columns = HISTORY_TABLE_COLUMNS.filter((c) => c.key !== 'from' || withOrigin);
  return {
    headers: columns.map((c) => c.key),
    align: columns.map((c) => c.align),
    cuttable: columns.map((c) => c.cuttable),
    cutStart: columns.map((c) => c.cutStart),
    rows: rows.map((row) => columns.map((c) => row[c.key])),
  };
}
