// `bird stats`'s command line: which rows to count and how to print them.
//
// --since is parsed here rather than by sync-worker's parseSince: that one names the first UTC
// day of the partitions to push, and importing it loads DuckDB (its module imports the store),
// which `bird stats` exists to avoid. Here `7d` is the 7 × 24 hours before now, `24h` the
// hours, and a date starts at local midnight, so it lines up with the per-day series.
import { resolve } from 'node:path';
import { usageError } from '@bird/core';
import { parseCommand } from '../args.ts';
import { COMMAND_SPECS, type STATS_FORMATS } from '../command-specs.ts';
import { hostSourceFilter, type RowFilter } from '../row-filter.ts';
import { dayStartUtcMs, defaultTimeZone, parseDay, zoneClock } from './zone-clock.ts';

export type StatsFormat = (typeof STATS_FORMATS)[number];

export interface StatsArgs {
  readonly filter: RowFilter;
  readonly format: StatsFormat;
}

const HOUR_MS = 3_600_000;

/**
 * `bird stats` flags; a bad one is a usage error (exit 2) saying what is accepted. `--dir` is
 * resolved against `cwd`, and a `--since` date is midnight in `timeZone`.
 *
 * @example
 * parseStatsArgs(['--since', '7d', '--dir', '.'], new Date(), '/home/ana/src')
 * // { filter: { sinceUs: …, dir: '/home/ana/src' }, format: 'table' }
 */
export function parseStatsArgs(args: readonly string[], now: Date, cwd: string, timeZone: string = defaultTimeZone()): StatsArgs {
  const { values } = parseCommand(COMMAND_SPECS.stats, args);
  const filter: { -readonly [K in keyof RowFilter]: RowFilter[K] } = hostSourceFilter(values);
  if (values.since !== undefined) filter.sinceUs = parseSinceUs(values.since, now, timeZone);
  if (values.dir !== undefined) filter.dir = resolve(cwd, values.dir);
  return { filter, format: values.format ?? 'table' };
}

/** `24h`, `7d` or `YYYY-MM-DD` → the first instant counted, epoch microseconds. */
export function parseSinceUs(value: string, now: Date, timeZone: string, flag = '--since'): number {
  const span = /^([1-9][0-9]{0,4})([hd])$/.exec(value);
  if (span) return (now.getTime() - Number(span[1]) * (span[2] === 'h' ? HOUR_MS : 24 * HOUR_MS)) * 1000;
  const day = parseDay(value);
  if (day !== undefined) return dayStartUtcMs(zoneClock(timeZone), day) * 1000;
  throw usageError(`${flag} takes a number of hours (24h), of days (7d, 30d) or a date (YYYY-MM-DD), not ${JSON.stringify(value)}.`);
}
