import { describe, expect, it } from 'vitest';
import { EMPTY_INDEX } from '@bird/history-index';
import type { RowFilter } from '../row-filter.ts';
import { computeStats } from './compute-stats.ts';
import { idOfRow, INDEX, NOW, us } from './known-week.ts';

// What does not depend on the time zone, worked out from the rows of known-week.ts.
const COMMON = {
  filter: {},
  total: 12,
  distinct: 10,
  withExitCode: 11, // all but row 6
  failures: 4, // rows 2, 3, 8, 9
  failureRate: 4 / 11,
  topCommands: [
    { key: 'git status', count: 2, share: 2 / 12 },
    { key: 'ls', count: 2, share: 2 / 12 },
    { key: 'make', count: 2, share: 2 / 12 },
    { key: 'npm test', count: 2, share: 2 / 12 },
    { key: 'git commit', count: 1, share: 1 / 12 },
    { key: 'git pull', count: 1, share: 1 / 12 },
    { key: 'systemctl restart', count: 1, share: 1 / 12 },
    { key: 'vim', count: 1, share: 1 / 12 },
  ],
  failing: [
    { key: 'git commit', failures: 1, runs: 1, failureRate: 1 },
    { key: 'git pull', failures: 1, runs: 1, failureRate: 1 },
    { key: 'make', failures: 1, runs: 2, failureRate: 0.5 },
    { key: 'npm test', failures: 1, runs: 2, failureRate: 0.5 },
  ],
  // systemctl and vim never have a known duration; ls has one of two.
  slowest: [
    { key: 'make', totalMs: 105000, runs: 2, meanMs: 52500 },
    { key: 'npm test', totalMs: 9000, runs: 2, meanMs: 4500 },
    { key: 'git pull', totalMs: 1500, runs: 1, meanMs: 1500 },
    { key: 'git commit', totalMs: 300, runs: 1, meanMs: 300 },
    { key: 'git status', totalMs: 200, runs: 2, meanMs: 100 },
    { key: 'ls', totalMs: 5, runs: 1, meanMs: 5 },
  ],
  dirs: [
    { dir: '/home/ana/bird', count: 4 },
    { dir: '/home/ana', count: 3 },
    { dir: '/home/ana/bird/packages/cli', count: 2 },
    { dir: '/etc', count: 1 },
    { dir: '/home/ana/bird-extra', count: 1 },
    { dir: '/srv/app', count: 1 },
  ],
  // No events given: nothing printed was parsed.
  topErrors: [],
  failingFiles: [],
};

const days = (first: number, counts: number[]) => counts.map((count, i) => ({ day: `2024-05-${String(first + i).padStart(2, '0')}`, count }));

describe('computeStats on a known week', () => {
  it('reads hours, weekdays and days in UTC', () => {
    expect(computeStats(INDEX, {}, { now: NOW, timeZone: 'UTC', days: 7 })).toEqual({
      ...COMMON,
      timeZone: 'UTC',
      period: { firstUs: us('2024-05-04T03:30:00Z'), lastUs: us('2024-05-10T11:59:30Z'), firstDay: '2024-05-04', lastDay: '2024-05-10' },
      //      0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15 16 17 18 19 20 21 22 23
      hours: [1, 0, 1, 1, 0, 0, 0, 0, 0, 2, 0, 2, 0, 3, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0],
      //         Mo Tu We Th Fr Sa Su
      weekdays: [2, 2, 1, 1, 2, 2, 2],
      perDay: days(4, [2, 2, 2, 2, 1, 1, 2]),
    });
  });

  it('reads them on New York time, where row 1 falls on Friday the 3rd and rows 5 and 10 a day earlier than in UTC', () => {
    expect(computeStats(INDEX, {}, { now: NOW, timeZone: 'America/New_York', days: 7 })).toEqual({
      ...COMMON,
      timeZone: 'America/New_York',
      period: { firstUs: us('2024-05-04T03:30:00Z'), lastUs: us('2024-05-10T11:59:30Z'), firstDay: '2024-05-03', lastDay: '2024-05-10' },
      //      0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15 16 17 18 19 20 21 22 23
      hours: [0, 0, 0, 0, 0, 2, 0, 2, 0, 3, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 1],
      //         Mo Tu We Th Fr Sa Su
      weekdays: [1, 2, 2, 0, 3, 1, 3],
      // row 1 is on the 3rd, before the series
      perDay: days(4, [1, 3, 1, 2, 2, 0, 2]),
    });
  });

  it.each<[string, RowFilter, number, number, string[]]>([
    // /home/ana and packages/cli both have 2 here: the tie goes by name
    ['laptop', { host: 'laptop' }, 9, 3, ['/home/ana/bird', '/home/ana', '/home/ana/bird/packages/cli', '/home/ana/bird-extra']],
    ['server', { host: 'server' }, 3, 1, ['/etc', '/home/ana', '/srv/app']],
    ['an unknown host', { host: 'nowhere' }, 0, 0, []],
    ['the work source', { source: 'work' }, 3, 1, ['/home/ana', '/srv/app']],
    ['laptop rows from work', { host: 'laptop', source: 'work' }, 1, 0, ['/home/ana']],
    ['a directory and those under it, not its namesakes', { dir: '/home/ana/bird' }, 6, 3, ['/home/ana/bird', '/home/ana/bird/packages/cli']],
    ['a directory written with a trailing slash', { dir: '/home/ana/bird/' }, 6, 3, ['/home/ana/bird', '/home/ana/bird/packages/cli']],
    ['home', { dir: '/home/ana' }, 10, 3, ['/home/ana/bird', '/home/ana', '/home/ana/bird/packages/cli', '/home/ana/bird-extra']],
    ['the root', { dir: '/' }, 12, 4, COMMON.dirs.map((d) => d.dir)],
    ['a prefix that is not a directory', { dir: '/home/an' }, 0, 0, []],
    ['since row 9', { sinceUs: us('2024-05-08T13:30:00Z') }, 4, 1, ['/home/ana/bird', '/home/ana', '/home/ana/bird-extra']],
    ['since after the last row', { sinceUs: us('2024-06-01T00:00:00Z') }, 0, 0, []],
    ['since row 9 on the server', { sinceUs: us('2024-05-08T13:30:00Z'), host: 'server' }, 1, 0, ['/home/ana']],
  ])('counts only %s', (_, filter, total, failures, dirs) => {
    const report = computeStats(INDEX, filter, { now: NOW, timeZone: 'UTC' });
    expect([report.total, report.failures, report.dirs.map((d) => d.dir)]).toEqual([total, failures, dirs]);
    expect(report.hours.reduce((a, b) => a + b)).toBe(total);
    expect(report.weekdays.reduce((a, b) => a + b)).toBe(total);
    expect(report.filter).toEqual(filter);
  });

  it('cuts every list at `top`', () => {
    const report = computeStats(INDEX, {}, { now: NOW, timeZone: 'UTC', top: 2 });
    expect([report.topCommands, report.failing, report.slowest, report.dirs].map((list) => list.length)).toEqual([2, 2, 2, 2]);
    expect(report.topCommands.map((c) => c.key)).toEqual(['git status', 'ls']);
  });

  it('gives 30 days ending today by default', () => {
    const perDay = computeStats(INDEX, {}, { now: NOW, timeZone: 'UTC' }).perDay;
    expect([perDay.length, perDay[0]!.day, perDay.at(-1)!.day, perDay.reduce((n, d) => n + d.count, 0)]).toEqual([30, '2024-04-11', '2024-05-10', 12]);
  });

  it.each<[string, RowFilter, string, number]>([
    // NOW is 2024-05-10 12:00 UTC
    ['the last 24 hours: yesterday and today', { sinceUs: us('2024-05-09T12:00:00Z') }, '2024-05-09', 2],
    ['a date: from that day', { sinceUs: us('2024-05-07T00:00:00Z') }, '2024-05-07', 4],
    ['an hour ago: today only', { sinceUs: us('2024-05-10T11:00:00Z') }, '2024-05-10', 1],
    ['a time still to come: today only', { sinceUs: us('2024-06-01T00:00:00Z') }, '2024-05-10', 1],
    ['a date before the 30 days: the 30 days', { sinceUs: us('2024-01-01T00:00:00Z') }, '2024-04-11', 30],
  ])('starts the days at --since when it is later than 30 days ago: %s', (_, filter, first, length) => {
    const perDay = computeStats(INDEX, filter, { now: NOW, timeZone: 'UTC' }).perDay;
    expect([perDay[0]!.day, perDay.at(-1)!.day, perDay.length]).toEqual([first, '2024-05-10', length]);
  });

  it('reports nothing, without NaN, when no row matches', () => {
    expect(computeStats(EMPTY_INDEX, {}, { now: NOW, timeZone: 'UTC', days: 2 })).toEqual({
      timeZone: 'UTC',
      filter: {},
      period: null,
      total: 0,
      distinct: 0,
      withExitCode: 0,
      failures: 0,
      failureRate: null,
      hours: new Array(24).fill(0),
      weekdays: new Array(7).fill(0),
      perDay: days(9, [0, 0]),
      topCommands: [],
      failing: [],
      slowest: [],
      dirs: [],
      topErrors: [],
      failingFiles: [],
    });
  });

  it('counts the events of the commands the filter keeps, each file from its command’s folder', () => {
    // Rows 2 and 9 ran in /home/ana/bird on the laptop, row 8 in /srv/app on the server; the last event's command is not stored.
    const error = (row: number, message: string, file: string) => ({ invocationId: idOfRow(row), kind: 'diagnostic', severity: 'error', status: null, message, file });
    const events = [error(2, "'a' undeclared", 'x.c'), error(9, "'b' undeclared", 'x.c'), error(8, 'missing ;', 'y.c'), error(99, 'missing ;', 'y.c')];
    const all = computeStats(INDEX, {}, { now: NOW, timeZone: 'UTC', events });
    expect([all.topErrors, all.failingFiles]).toEqual([
      [{ pattern: "'…' undeclared", count: 2, commands: 2 }, { pattern: 'missing ;', count: 1, commands: 1 }],
      [{ file: '/home/ana/bird/x.c', count: 2, commands: 2 }, { file: '/srv/app/y.c', count: 1, commands: 1 }],
    ]);
    const server = computeStats(INDEX, { host: 'server' }, { now: NOW, timeZone: 'UTC', events });
    expect(server.failingFiles).toEqual([{ file: '/srv/app/y.c', count: 1, commands: 1 }]);
    const since = computeStats(INDEX, { sinceUs: us('2024-05-08T00:00:00Z') }, { now: NOW, timeZone: 'UTC', events });
    expect(since.topErrors).toEqual([{ pattern: "'…' undeclared", count: 1, commands: 1 }]);
    expect(computeStats(INDEX, {}, { now: NOW, timeZone: 'UTC', top: 1, events }).failingFiles).toHaveLength(1);
  });
});
