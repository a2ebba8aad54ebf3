import { describe, expect, it } from 'vitest';
import { dayStartUtcMs, dayText, localDay, localHour, localWeekday, parseDay, zoneClock } from './zone-clock.ts';

const local = (zone: string, iso: string) => new Date(zoneClock(zone).localMs(Date.parse(iso))).toISOString().slice(0, 19);

describe('zoneClock', () => {
  it.each([
    ['UTC', '2024-05-01T12:34:56Z', '2024-05-01T12:34:56'],
    ['America/New_York', '2024-01-15T12:00:00Z', '2024-01-15T07:00:00'],
    ['America/New_York', '2024-07-15T12:00:00Z', '2024-07-15T08:00:00'],
    // spring forward: 02:00 EST becomes 03:00 EDT at 07:00Z
    ['America/New_York', '2024-03-10T06:59:59Z', '2024-03-10T01:59:59'],
    ['America/New_York', '2024-03-10T07:00:00Z', '2024-03-10T03:00:00'],
    // fall back: 02:00 EDT becomes 01:00 EST at 06:00Z
    ['America/New_York', '2024-11-03T05:59:59Z', '2024-11-03T01:59:59'],
    ['America/New_York', '2024-11-03T06:00:00Z', '2024-11-03T01:00:00'],
    ['Asia/Kolkata', '2024-05-01T20:00:00Z', '2024-05-02T01:30:00'],
    ['Asia/Kathmandu', '2024-05-01T00:00:00Z', '2024-05-01T05:45:00'],
    // a change of offset in the middle of a UTC hour: 03:00 ACDT becomes 02:00 ACST at 16:30Z
    ['Australia/Adelaide', '2024-04-06T16:29:59Z', '2024-04-07T02:59:59'],
    ['Australia/Adelaide', '2024-04-06T16:30:00Z', '2024-04-07T02:00:00'],
    ['Pacific/Kiritimati', '2024-05-01T00:00:00Z', '2024-05-01T14:00:00'],
  ])('%s: %s reads %s', (zone, iso, expected) => {
    expect(local(zone, iso)).toBe(expected);
  });

  it.each(['America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Tehran'])('agrees with Intl every 37 minutes through 2024 in %s', (zone) => {
    const clock = zoneClock(zone);
    const intl = new Intl.DateTimeFormat('sv-SE', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    const mismatches: string[] = [];
    for (let t = Date.parse('2024-01-01T00:00:00Z'); t < Date.parse('2025-01-01T00:00:00Z'); t += 37 * 60_000) {
      const ours = new Date(clock.localMs(t)).toISOString().slice(0, 16).replace('T', ' ');
      const theirs = intl.format(t);
      if (ours !== theirs) mismatches.push(`${new Date(t).toISOString()}: ${ours} vs ${theirs}`);
    }
    expect(mismatches).toEqual([]);
  });

  it.each([
    ['UTC', '2024-05-01', '2024-05-01T00:00:00.000Z'],
    ['America/New_York', '2024-01-15', '2024-01-15T05:00:00.000Z'],
    ['America/New_York', '2024-07-15', '2024-07-15T04:00:00.000Z'],
    ['America/New_York', '2024-03-10', '2024-03-10T05:00:00.000Z'],
    ['America/New_York', '2024-03-11', '2024-03-11T04:00:00.000Z'],
    ['Asia/Kolkata', '2024-05-02', '2024-05-01T18:30:00.000Z'],
  ])('%s: %s starts at %s', (zone, day, iso) => {
    expect(new Date(dayStartUtcMs(zoneClock(zone), parseDay(day)!)).toISOString()).toBe(iso);
  });

  it('names the zone it resolved, and refuses one Intl does not know', () => {
    expect(zoneClock('utc').timeZone).toBe('UTC');
    expect(() => zoneClock('Mars/Olympus_Mons')).toThrow(RangeError);
  });
});

describe('local calendar fields', () => {
  it.each([
    ['1970-01-01T00:00:00Z', 0, 3, 0, '1970-01-01'],
    ['2024-05-06T23:59:59Z', 23, 0, 19849, '2024-05-06'], // a Monday
    ['2024-05-12T00:00:00Z', 0, 6, 19855, '2024-05-12'], // a Sunday
    ['1969-12-31T23:00:00Z', 23, 2, -1, '1969-12-31'], // a Wednesday, before day 0
  ])('%s: hour %i, weekday %i, day %i (%s)', (iso, hour, weekday, day, text) => {
    const ms = Date.parse(iso);
    expect([localHour(ms), localWeekday(ms), localDay(ms), dayText(localDay(ms))]).toEqual([hour, weekday, day, text]);
  });

  it.each([
    ['2024-05-06', 19849],
    ['2024-02-29', 19782],
    ['2023-02-29', undefined],
    ['2024-13-01', undefined],
    ['2024-5-6', undefined],
    ['yesterday', undefined],
  ])('parseDay(%j) is %j', (text, day) => {
    expect(parseDay(text)).toBe(day);
  });
});
