// `bird history` as people read it: local time, exit status, a short duration, ~ for home.
import type { ResultSet } from './format/result-set.ts';
import type { TextTable } from './format/table.ts';
import { escapeControls, escapeForTerminal } from './format/text-width.ts';
import { plainText, readableTimestamp } from './format/values.ts';

/** The query behind `bird history -n N`: newest first (UUIDv7 ids break ties in time order). */
export function historyQuery(limit: number): string {
  return `SELECT "timestamp", exit_code, duration_ms, cwd, cmd FROM main.invocations ORDER BY "timestamp" DESC, id DESC LIMIT ${limit}`;
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

/** Rows of `historyQuery` as a table; an unknown value (NULL) is left blank. `terminal`: bidi controls escaped too. */
export function historyTable(result: ResultSet, home: string | undefined, options: { terminal?: boolean } = {}): TextTable {
  const text = (value: unknown) => plainText(value) ?? '';
  const escape = options.terminal ? escapeForTerminal : escapeControls;
  return {
    headers: ['time', 'exit', 'duration', 'cwd', 'cmd'],
    align: ['left', 'right', 'right', 'left', 'left'],
    cuttable: [false, false, false, true, true],
    rows: result.rows.map(([timestamp, exit, duration, cwd, cmd]) => [
      readableTimestamp(text(timestamp), { fraction: false }),
      text(exit),
      duration === null || duration === undefined ? '' : formatDuration(Number(duration)),
      escape(shortenHome(text(cwd), home)),
      escape(text(cmd)),
    ]),
  };
}
