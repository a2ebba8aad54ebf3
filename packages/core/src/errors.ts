/**
 * An error meant for the user: one sentence saying what failed and what to do.
 * Entry points print `message` alone (never a stack) and exit with `exitCode`.
 */
export class BirdError extends Error {
  readonly exitCode: number;
  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'BirdError';
    this.exitCode = options.exitCode ?? 1;
  }
}

/** Exit code for a command line that could not be understood. */
export const USAGE_EXIT = 2;

export function usageError(message: string): BirdError {
  return new BirdError(message, { exitCode: USAGE_EXIT });
}

/** The message of any thrown value, without a stack. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** True for an error (or one it wraps) that says the disk is full: no space, or over a quota. */
export function isDiskFull(error: unknown): boolean {
  for (let e = error, depth = 0; e !== undefined && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT' || /No space left on device/i.test(describeError(e))) return true;
  }
  return false;
}
