import { isAbsolute, join } from 'node:path';
import { escapeForTerminal } from '@bird/core';

/** An `events` row as `bird events` reads it back (untrusted: any of it may be missing). */
export interface ListedEvent {
  readonly kind: string | null;
  readonly severity: string | null;
  readonly file: string | null;
  readonly line: number | null;
  readonly column: number | null;
  readonly message: string | null;
  readonly code: string | null;
  readonly testName: string | null;
  readonly status: string | null;
  /** Where its command ran: a relative file is taken from there. */
  readonly cwd: string | null;
}

/** The event's file as a path an editor opens from anywhere: made absolute from its command's folder. */
export function pathOf(event: Pick<ListedEvent, 'file' | 'cwd'>): string | null {
  if (event.file === null) return null;
  return isAbsolute(event.file) || event.cwd === null ? event.file : join(event.cwd, event.file);
}

/**
 * `file:line:col: severity: message [code]`, what vim's and emacs's quickfix/compilation modes
 * read; a test as `file:line: failed: name: message`. Parts not known are left out, and what the
 * output said is escaped so that it cannot drive the terminal.
 */
export function quickfixLine(event: ListedEvent): string {
  const path = pathOf(event);
  const place = path === null ? '' : `${path}${event.line === null ? '' : `:${event.line}${event.column === null ? '' : `:${event.column}`}`}: `;
  const what =
    event.kind === 'test'
      ? `${event.status ?? 'unknown'}: ${event.testName ?? '(unnamed test)'}${event.message === null ? '' : `: ${event.message}`}`
      : `${event.severity ?? 'note'}: ${event.message ?? ''}${event.code === null ? '' : ` [${event.code}]`}`;
  return escapeForTerminal(`${place}${what}`);
}
