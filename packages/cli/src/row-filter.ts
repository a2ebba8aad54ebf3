// Which rows of the history index a command keeps. `bird stats` and `bird history` take the same
// --host and --source flags (stats also --since and --dir), so both read rows through this.
import { lowerBound, type HistoryIndex } from '@bird/history-index';

/** Which rows count. Every field given must match. */
export interface RowFilter {
  /** Rows that started at or after this instant, epoch microseconds. */
  readonly sinceUs?: number;
  /** Exactly this host. */
  readonly host?: string;
  /** This absolute directory and everything under it. */
  readonly dir?: string;
  /** Exactly this `_source` (`local`, or a remote's name). */
  readonly source?: string;
}

/** The part of a filter the `--host H` and `--source S` flags give. */
export function hostSourceFilter(values: { readonly host?: unknown; readonly source?: unknown }): Pick<RowFilter, 'host' | 'source'> {
  return {
    ...(typeof values.host === 'string' ? { host: values.host } : {}),
    ...(typeof values.source === 'string' ? { source: values.source } : {}),
  };
}

export interface RowMatcher {
  /** The first row that can match (rows before it started before `sinceUs`); `index.size` when none can. */
  readonly first: number;
  readonly matches: (row: number) => boolean;
}

/**
 * `filter` turned into integer comparisons against `index`, once: a host or source string
 * becomes its interned number, and each distinct directory is decided once, not once per row.
 *
 * @example
 * const { first, matches } = rowMatcher(index, { source: 'team' });
 * for (let r = first; r < index.size; r++) if (matches(r)) …
 */
export function rowMatcher(index: HistoryIndex, filter: RowFilter): RowMatcher {
  const host = filter.host === undefined ? -1 : index.hosts.indexOf(filter.host);
  const source = filter.source === undefined ? -1 : index.sources.indexOf(filter.source);
  const dirWanted = filter.dir === undefined ? undefined : index.dirs.map((d) => isUnder(d, filter.dir!));
  const nothing = (filter.host !== undefined && host < 0) || (filter.source !== undefined && source < 0);
  const first = nothing ? index.size : filter.sinceUs === undefined ? 0 : lowerBound(index.timestampUs, index.size, filter.sinceUs);
  return {
    first,
    matches: (r) =>
      (host < 0 || index.host[r] === host) && (source < 0 || index.source[r] === source) && (dirWanted === undefined || dirWanted[index.cwd[r]!] === true),
  };
}

/** `dir` itself or a path below it; `/src/app` is not under `/src/ap`. */
export function isUnder(path: string, dir: string): boolean {
  const base = dir.length > 1 ? dir.replace(/\/+$/, '') : dir;
  if (base === '/') return path.startsWith('/');
  return path === base || path.startsWith(`${base}/`);
}
