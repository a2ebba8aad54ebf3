// `bird stats` as numbers: one pass over the history index's columns, no I/O, so the whole
// report is a pure function of the index, the filter, the clock and the time zone.
import { UNKNOWN_EXIT, idBytes, idText, type HistoryIndex } from '@bird/history-index';
import { rowMatcher, type RowFilter } from '../row-filter.ts';
import { commandKey } from './command-key.ts';
import { eventStats, type ErrorCount, type EventFact, type FileCount, type StoredEvent } from './event-stats.ts';
import { dayText, defaultTimeZone, localDay, localHour, localWeekday, zoneClock } from './zone-clock.ts';

export interface StatsOptions {
  /** Ends the per-day series (its last day is the local day of `now`). */
  readonly now: Date;
  /** IANA name; hours, weekdays and days are read on its clock. Default: the process's. */
  readonly timeZone?: string;
  /** Length of each top list. Default 10. */
  readonly top?: number;
  /** Most days in the per-day series (fewer when the filter's `sinceUs` is later). Default 30. */
  readonly days?: number;
  /** Stored events: those of the rows `filter` keeps are counted. */
  readonly events?: readonly StoredEvent[];
}

export interface CommandCount {
  readonly key: string;
  readonly count: number;
  /** count / total. */
  readonly share: number;
}

export interface FailingCommand {
  readonly key: string;
  readonly failures: number;
  /** Runs with a known exit code, which is what the rate is out of. */
  readonly runs: number;
  readonly failureRate: number;
}

export interface SlowCommand {
  readonly key: string;
  readonly totalMs: number;
  /** Runs with a known duration, which is what the mean is over. */
  readonly runs: number;
  readonly meanMs: number;
}

export interface DirCount {
  readonly dir: string;
  readonly count: number;
}

export interface DayCount {
  /** `YYYY-MM-DD`, local. */
  readonly day: string;
  readonly count: number;
}

export interface StatsReport {
  readonly timeZone: string;
  readonly filter: RowFilter;
  /** First and last start among the rows counted; null when there are none. */
  readonly period: { readonly firstUs: number; readonly lastUs: number; readonly firstDay: string; readonly lastDay: string } | null;
  readonly total: number;
  /** Distinct command lines, as typed (not keys). */
  readonly distinct: number;
  /** Rows whose exit code is known: what the failure rate is out of. */
  readonly withExitCode: number;
  /** Known, non-zero exit codes. */
  readonly failures: number;
  /** failures / withExitCode; null when no exit code is known. */
  readonly failureRate: number | null;
  /** 24 counts, local hour 0 first. */
  readonly hours: readonly number[];
  /** 7 counts, Monday first. */
  readonly weekdays: readonly number[];
  /** Local days, oldest first, ending today: the last `days`, or from the day of `filter.sinceUs` when that is later. */
  readonly perDay: readonly DayCount[];
  /** By {@link commandKey}: count desc, then key. */
  readonly topCommands: readonly CommandCount[];
  /** Keys with at least one failure: failures desc, then key. */
  readonly failing: readonly FailingCommand[];
  /** Keys with at least one known duration: total time desc, then key. */
  readonly slowest: readonly SlowCommand[];
  /** count desc, then dir. */
  readonly dirs: readonly DirCount[];
  /** Error diagnostics by their pattern: count desc, then pattern. */
  readonly topErrors: readonly ErrorCount[];
  /** Files named by errors and failed tests: count desc, then file. */
  readonly failingFiles: readonly FileCount[];
}

const DEFAULT_TOP = 10;
const DEFAULT_DAYS = 30;

/**
 * The report for the rows of `index` that match `filter`.
 *
 * @example
 * computeStats(index, { sinceUs: Date.parse('2024-05-01') * 1000, host: 'laptop' }, { now: new Date(), timeZone: 'Europe/Paris' })
 */
export function computeStats(index: HistoryIndex, filter: RowFilter, options: StatsOptions): StatsReport {
  const clock = zoneClock(options.timeZone ?? defaultTimeZone());
  const top = options.top ?? DEFAULT_TOP;
  const dayCount = options.days ?? DEFAULT_DAYS;
  const today = localDay(clock.localMs(options.now.getTime()));
  // A series that starts before --since would draw days the filter left out as days with nothing.
  const sinceDay = filter.sinceUs === undefined ? -Infinity : localDay(clock.localMs(Math.floor(filter.sinceUs / 1000)));
  const firstDay = Math.max(today - dayCount + 1, Math.min(sinceDay, today));

  const { first, matches } = rowMatcher(index, filter);

  const keyIds = new Int32Array(index.commands.length).fill(-1);
  const keys: string[] = [];
  const keyNumbers = new Map<string, number>();
  const byKey = { count: [] as number[], failures: [] as number[], withExit: [] as number[], totalMs: [] as number[], timed: [] as number[] };
  const seenCommand = new Uint8Array(index.commands.length);
  const dirCounts = new Float64Array(index.dirs.length);
  const hours = new Array<number>(24).fill(0);
  const weekdays = new Array<number>(7).fill(0);
  const perDay = new Array<number>(Math.max(0, today - firstDay + 1)).fill(0);
  let total = 0;
  let distinct = 0;
  let withExitCode = 0;
  let failures = 0;
  let firstUs = NaN;
  let lastUs = NaN;
  // The folder each kept command ran in, by id, when there are events to tell it to.
  const keptFolders = options.events !== undefined && options.events.length > 0 ? new Map<string, string>() : undefined;

  for (let r = first; r < index.size; r++) {
    if (!matches(r)) continue;

    const us = index.timestampUs[r]!;
    if (total === 0) firstUs = us;
    lastUs = us;
    total++;

    const local = clock.localMs(Math.floor(us / 1000));
    hours[localHour(local)]!++;
    weekdays[localWeekday(local)]!++;
    const day = localDay(local) - firstDay;
    if (day >= 0 && day < perDay.length) perDay[day]!++;

    const cmd = index.cmd[r]!;
    if (seenCommand[cmd] === 0) {
      seenCommand[cmd] = 1;
      distinct++;
    }
    let k = keyIds[cmd]!;
    if (k < 0) {
      const key = commandKey(index.commands[cmd]!);
      k = keyNumbers.get(key) ?? -1;
      if (k < 0) {
        k = keys.length;
        keys.push(key);
        keyNumbers.set(key, k);
        byKey.count.push(0);
        byKey.failures.push(0);
        byKey.withExit.push(0);
        byKey.totalMs.push(0);
        byKey.timed.push(0);
      }
      keyIds[cmd] = k;
    }
    byKey.count[k]!++;

    const exit = index.exitCode[r]!;
    if (exit !== UNKNOWN_EXIT) {
      withExitCode++;
      byKey.withExit[k]!++;
      if (exit !== 0) {
        failures++;
        byKey.failures[k]!++;
      }
    }
    const ms = index.durationMs[r]!;
    if (!Number.isNaN(ms)) {
      byKey.totalMs[k]! += ms;
      byKey.timed[k]!++;
    }
    dirCounts[index.cwd[r]!]!++;
    keptFolders?.set(idText(index.ids, r), index.dirs[index.cwd[r]!]!);
  }

  const ids = keys.map((_, k) => k);
  const byKeyName = (a: number, b: number) => compareText(keys[a]!, keys[b]!);
  const firstN = (order: number[]) => order.slice(0, Math.max(0, top));

  return {
    timeZone: clock.timeZone,
    filter: { ...filter },
    period:
      total === 0
        ? null
        : { firstUs, lastUs, firstDay: dayText(localDay(clock.localMs(Math.floor(firstUs / 1000)))), lastDay: dayText(localDay(clock.localMs(Math.floor(lastUs / 1000)))) },
    total,
    distinct,
    withExitCode,
    failures,
    failureRate: withExitCode === 0 ? null : failures / withExitCode,
    hours,
    weekdays,
    perDay: perDay.map((count, i) => ({ day: dayText(firstDay + i), count })),
    topCommands: firstN([...ids].sort((a, b) => byKey.count[b]! - byKey.count[a]! || byKeyName(a, b))).map((k) => ({
      key: keys[k]!,
      count: byKey.count[k]!,
      share: byKey.count[k]! / total,
    })),
    failing: firstN(ids.filter((k) => byKey.failures[k]! > 0).sort((a, b) => byKey.failures[b]! - byKey.failures[a]! || byKeyName(a, b))).map((k) => ({
      key: keys[k]!,
      failures: byKey.failures[k]!,
      runs: byKey.withExit[k]!,
      failureRate: byKey.failures[k]! / byKey.withExit[k]!,
    })),
    slowest: firstN(ids.filter((k) => byKey.timed[k]! > 0).sort((a, b) => byKey.totalMs[b]! - byKey.totalMs[a]! || byKeyName(a, b))).map((k) => ({
      key: keys[k]!,
      totalMs: byKey.totalMs[k]!,
      runs: byKey.timed[k]!,
      meanMs: byKey.totalMs[k]! / byKey.timed[k]!,
    })),
    dirs: firstN(
      [...dirCounts.keys()].filter((d) => dirCounts[d]! > 0).sort((a, b) => dirCounts[b]! - dirCounts[a]! || compareText(index.dirs[a]!, index.dirs[b]!)),
    ).map((d) => ({ dir: index.dirs[d]!, count: dirCounts[d]! })),
    ...eventStats(keptFolders === undefined ? [] : eventsOfKept(options.events!, keptFolders), top),
  };
}

/** The events whose command is kept, each with its command's folder; ids compared as the index keeps them (a foreign lake's hashed). */
function eventsOfKept(events: readonly StoredEvent[], keptFolders: ReadonlyMap<string, string>): EventFact[] {
  const bytes = new Uint8Array(16);
  const facts: EventFact[] = [];
  for (const e of events) {
    idBytes(e.invocationId, bytes, 0);
    const cwd = keptFolders.get(idText(bytes, 0));
    if (cwd !== undefined) facts.push({ ...e, cwd });
  }
  return facts;
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
