/**
 * Times and durations read from a history file, checked before use. A history file is
 * untrusted: a corrupt `when: 999999999999999` or `#-377705116800` is one damaged field, and it
 * must cost that entry its time only, never fail the import (DuckDB cannot even hold a time past
 * year 294247, and a date partition needs a four-digit year).
 */

/** 9999-12-31T23:59:59.999999Z, the last instant with a four-digit year (as bird-capture's --start-us). */
const LATEST_START_US = 253_402_300_799_999_999n;
const US_PER_SECOND = 1_000_000n;

/** A start in whole seconds since the epoch, as µs; null when it is before 1970 or after year 9999. */
export function startUsOfSeconds(seconds: bigint): bigint | null {
  return startUsOf(seconds * US_PER_SECOND);
}

/** A start in µs; null when it is before 1970 or after year 9999 (no command ran then). */
export function startUsOf(us: bigint): bigint | null {
  return us >= 0n && us <= LATEST_START_US ? us : null;
}

/**
 * A duration in ms; null when it is negative or beyond what a double holds exactly (2^53 ms is
 * 285,000 years: no command ran that long, so it is damage).
 */
export function durationMsOf(ms: bigint): number | null {
  return ms >= 0n && ms <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(ms) : null;
}
