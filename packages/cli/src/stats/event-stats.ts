// `bird stats`'s errors and failing files: counted from the events (@bird/core/events) of the
// commands the filter keeps, as a pure function of those rows, like the rest of the report.
import { pathOf } from '../events/quickfix-line.ts';
import { errorPattern } from './error-pattern.ts';

/** An events row as stats reads it back (untrusted: any of it may be missing), with its command's id and folder. */
export interface EventFact {
  readonly invocationId: string;
  readonly kind: string | null;
  readonly severity: string | null;
  readonly status: string | null;
  readonly message: string | null;
  readonly file: string | null;
  /** Where its command ran: a relative file is counted as the file in that folder. */
  readonly cwd: string | null;
}

/** An events row as the store gives it, before its command's folder is known. */
export type StoredEvent = Omit<EventFact, 'cwd'>;

export interface ErrorCount {
  /** The message with its particulars masked ({@link errorPattern}). */
  readonly pattern: string;
  readonly count: number;
  /** Distinct commands that printed it. */
  readonly commands: number;
}

export interface FileCount {
  /** Absolute when its command's folder is known. */
  readonly file: string;
  /** Errors in it and failed tests in it. */
  readonly count: number;
  readonly commands: number;
}

export interface EventStats {
  /** Error diagnostics by pattern: count desc, then pattern. */
  readonly topErrors: readonly ErrorCount[];
  /** Files named by errors and failed tests: count desc, then file. */
  readonly failingFiles: readonly FileCount[];
}

export const NO_EVENT_STATS: EventStats = { topErrors: [], failingFiles: [] };

const isError = (e: EventFact) => e.kind === 'diagnostic' && e.severity === 'error';
const isFailedTest = (e: EventFact) => e.kind === 'test' && e.status === 'failed';

/**
 * The `top` most frequent errors and the `top` files that fail most among `events` (each row
 * once: the caller reads them so).
 *
 * @example
 * eventStats([{ invocationId: 'a', kind: 'diagnostic', severity: 'error', status: null, message: "'x' undeclared", file: 'a.c', cwd: '/src' }], 10)
 * // { topErrors: [{ pattern: "'…' undeclared", count: 1, commands: 1 }], failingFiles: [{ file: '/src/a.c', count: 1, commands: 1 }] }
 */
export function eventStats(events: readonly EventFact[], top: number): EventStats {
  const errors = new Tally();
  const files = new Tally();
  for (const e of events) {
    const error = isError(e);
    if (error && e.message !== null) {
      const pattern = errorPattern(e.message);
      if (pattern !== '') errors.add(pattern, e.invocationId);
    }
    if ((error || isFailedTest(e)) && e.file !== null && e.file !== '') {
      files.add(pathOf(e)!, e.invocationId);
    }
  }
  return {
    topErrors: errors.top(top).map(([pattern, count, commands]) => ({ pattern, count, commands })),
    failingFiles: files.top(top).map(([file, count, commands]) => ({ file, count, commands })),
  };
}

/** Counts per name, and the distinct commands behind each. */
class Tally {
  private readonly counts = new Map<string, { count: number; commands: Set<string> }>();

  add(name: string, command: string): void {
    const entry = this.counts.get(name) ?? { count: 0, commands: new Set<string>() };
    entry.count++;
    entry.commands.add(command);
    this.counts.set(name, entry);
  }

  top(n: number): [name: string, count: number, commands: number][] {
    return [...this.counts]
      .map(([name, e]): [string, number, number] => [name, e.count, e.commands.size])
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, Math.max(0, n));
  }
}
