import { appendFileSync } from 'node:fs';
import type { BirdLayout } from './paths.ts';

/**
 * errors.log's one line format, whoever writes it (bird-capture, its drainer, the three hooks):
 * the time in UTC to the second, who wrote it, then one sentence of what failed and what to do.
 *
 *     2026-12-07T03:30:37Z bird hook: cannot start bird-capture because "node" was not found; …
 *
 * The hooks format the time with this strftime format, which the build writes into
 * hooks/install.SHELL.
 */
export const ERRORS_LOG_TIME = '%Y-%m-%dT%H:%M:%SZ';

/** Who writes errors.log lines. */
export type ErrorsLogWriter = 'bird-capture' | 'bird hook';

/** A line of errors.log, as every writer makes it. */
export const ERRORS_LOG_LINE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z (bird-capture|bird hook): \S[^\n]*$/;

/** One line of errors.log, newline included; a message of several lines is joined into one. */
export function errorsLogLine(who: ErrorsLogWriter, message: string, now: Date = new Date()): string {
  return `${now.toISOString().slice(0, 19)}Z ${who}: ${message.trim().replace(/\s*\n\s*/g, ' ')}\n`;
}

/** Appends one line to errors.log (0600 when it makes the file); throws what the filesystem throws. */
export function appendErrorsLog(layout: BirdLayout, who: ErrorsLogWriter, message: string): void {
  appendFileSync(layout.errorsLog, errorsLogLine(who, message), { mode: 0o600 });
}
