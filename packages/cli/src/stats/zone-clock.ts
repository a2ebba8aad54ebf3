// Local wall-clock time in an IANA time zone, fast enough for every row of the history.
// Intl.DateTimeFormat is the only source of zone rules in Node, but formatToParts costs
// microseconds a call; a zone's offset changes only a few times a year, so it is asked once per
// UTC day and, on the rare day whose offset differs from the next day's, once per quarter hour
// (every offset in use since the 1970s is a multiple of 15 minutes, so a quarter hour is exact).

const DAY_MS = 86_400_000;
const QUARTER_MS = 900_000;

/** The process's time zone, as Intl sees it (TZ, else the system's). */
export function defaultTimeZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone;
}

export interface ZoneClock {
  readonly timeZone: string;
  /** Local time minus UTC at this instant, in milliseconds. */
  offsetMs(utcMs: number): number;
  /** The local wall-clock reading at this instant, as if it were UTC (read it with the helpers below). */
  localMs(utcMs: number): number;
  /** The instant at which the local clock reads `localMs` (for a reading skipped or repeated by a change of offset, one of the nearest). */
  utcMs(localMs: number): number;
}

/** A clock for `timeZone`; throws RangeError for a name Intl does not know. */
export function zoneClock(timeZone: string): ZoneClock {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const exactOffset = (utcMs: number): number => {
    const fields: Record<string, number> = {};
    for (const part of format.formatToParts(utcMs)) if (part.type !== 'literal') fields[part.type] = Number(part.value);
    const wall = Date.UTC(fields.year!, fields.month! - 1, fields.day!, fields.hour!, fields.minute!, fields.second!);
    return wall - Math.floor(utcMs / 1000) * 1000;
  };
  const atDayStart = new Map<number, number>();
  const dayStartOffset = (day: number): number => {
    let offset = atDayStart.get(day);
    if (offset === undefined) atDayStart.set(day, (offset = exactOffset(day * DAY_MS)));
    return offset;
  };
  /** Per UTC day: one offset for the whole day, or one per quarter hour on a day the offset changes. */
  const byDay = new Map<number, number | Int32Array>();
  // Rows come in time order, so most lookups hit the day before them.
  let lastDay = NaN;
  let lastEntry: number | Int32Array = 0;
  const offsetMs = (utcMs: number): number => {
    const day = Math.floor(utcMs / DAY_MS);
    let entry = day === lastDay ? lastEntry : byDay.get(day);
    if (entry === undefined) {
      const start = dayStartOffset(day);
      if (start === dayStartOffset(day + 1)) {
        entry = start;
      } else {
        entry = new Int32Array(DAY_MS / QUARTER_MS);
        for (let q = 0; q < entry.length; q++) entry[q] = exactOffset(day * DAY_MS + q * QUARTER_MS);
      }
      byDay.set(day, entry);
    }
    lastDay = day;
    lastEntry = entry;
    return typeof entry === 'number' ? entry : entry[Math.floor((utcMs - day * DAY_MS) / QUARTER_MS)]!;
  };
  return {
    timeZone: format.resolvedOptions().timeZone,
    offsetMs,
    localMs: (utcMs) => utcMs + offsetMs(utcMs),
    // The offset at the reading taken as UTC is off by at most the change; a second look settles it.
    utcMs: (localMs) => localMs - offsetMs(localMs - offsetMs(localMs)),
  };
}

/** 0–23. */
export function localHour(localMs: number): number {
  return mod(Math.floor(localMs / 3_600_000), 24);
}

/** 0 = Monday … 6 = Sunday (1970-01-01, day 0, was a Thursday). */
export function localWeekday(localMs: number): number {
  return mod(localDay(localMs) + 3, 7);
}

/** Days since 1970-01-01 on the local calendar. */
export function localDay(localMs: number): number {
  return Math.floor(localMs / DAY_MS);
}

/** `YYYY-MM-DD` of a {@link localDay}. */
export function dayText(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The {@link localDay} of `YYYY-MM-DD`, or undefined when it is not a real date. */
export function parseDay(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const ms = Date.parse(`${text}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text) return undefined;
  return ms / DAY_MS;
}

/** The local midnight that starts `day`, as UTC milliseconds. */
export function dayStartUtcMs(clock: ZoneClock, day: number): number {
  return clock.utcMs(day * DAY_MS);
}

const mod = (n: number, m: number) => ((n % m) + m) % m;
