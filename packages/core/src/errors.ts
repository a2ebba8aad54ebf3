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

/**
 * True for DuckDB's "another process holds bird.duckdb" errors, the ones worth retrying.
 * Here (no DuckDB import) so the store and the duckdb writer agree on what "locked" means.
 */
export function isCatalogLockedError(error: unknown): boolean {
  return /Could not set lock|Conflicting lock|already open/i.test(describeError(error));
}
