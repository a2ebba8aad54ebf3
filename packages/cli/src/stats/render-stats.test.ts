import { describe, expect, it } from 'vitest';
import { buildIndex, EMPTY_INDEX } from '@bird/history-index';
import { displayWidth } from '../format/text-width.ts';
import { computeStats } from './compute-stats.ts';
import { idOfRow, INDEX, NOW, us } from './known-week.ts';
import { renderStats, statsJson } from './render-stats.ts';

const REPORT = computeStats(INDEX, {}, { now: NOW, timeZone: 'UTC', days: 7 });
// eslint-disable-next-line no-control-regex
const SGR = /\x1b\[[0-9;]*m/g;
const plain = (text: string) => text.replace(SGR, '');

describe('renderStats', () => {
  it.each([1, 8, 20, 24, 40, 60, 80, 132, 300])('keeps every line within %i columns, with colour or without', (width) => {
    for (const color of [false, true]) {
      const text = renderStats(REPORT, { color, width, home: '/home/ana' });
      const tooWide = text.split('\n').filter((line) => displayWidth(plain(line)) > width);
      expect(tooWide).toEqual([]);
    }
  });

  it.each([Infinity, NaN])('renders at 80 columns for a width of %d', (width) => {
    expect(renderStats(REPORT, { color: false, width })).toBe(renderStats(REPORT, { color: false, width: 80 }));
  });

  it('writes no escape sequence without colour, and colours failures red with it', () => {
    const without = renderStats(REPORT, { color: false, width: 80 });
    const withColor = renderStats(REPORT, { color: true, width: 80 });
    expect(without).not.toContain('\x1b');
    expect(withColor).toContain('\x1b[31m4 failed\x1b[0m');
    expect(withColor).toContain('\x1b[1mTop commands\x1b[0m');
    // Colour changes nothing but the escapes.
    expect(plain(withColor)).toBe(without);
  });

  it('shows the headline numbers and every list', () => {
    const text = renderStats(REPORT, { color: false, width: 80, home: '/home/ana' });
    const lines = text.split('\n');
    expect(lines.slice(0, 2)).toEqual(['12 commands, 10 distinct, 2024-05-04 → 2024-05-10 (UTC)', '4 failed (36.4% of the 11 with a known exit code)']);
    expect(lines).toContain('████▄▄█');
    expect(lines).toContain('2024-05-04 → 2024-05-10, most: 2 on 2024-05-04');
    // The first line starting with `start` after the heading `section`.
    const row = (section: string, start: string) => lines.slice(lines.indexOf(section)).find((line) => line.startsWith(start));
    // Bars take what the label and numbers leave of 80 columns: 80 - 2 - 1 - 1 - 1 = 75 for hours.
    expect([
      row('By hour', '13 '),
      row('By weekday', 'Wed '),
      row('Top commands', 'git status '),
      row('Fail most', 'make '),
      row('Directories', '~/bird '),
    ]).toEqual([
      `13 ${'█'.repeat(75)} 3`,
      `Wed ${'█'.repeat(37)}${' '.repeat(37)} 1`,
      `git status        ${'█'.repeat(54)} 2 16.7%`,
      `make       ${'█'.repeat(58)} 1/2  50.0%`, // bars of failures, and every key here failed once
      `~/bird              ${'█'.repeat(52)} 4 33.3%`,
    ]);
    expect(text).toContain('1m45s 2× mean 52.5s');
    expect(text).toContain('\n~/bird/packages/cli ');
  });

  it('shows the most frequent errors and the files that fail most, only when there are some', () => {
    // Rows 1 and 2 ran in /home/ana/bird.
    const error = (row: number, message: string, file: string) => ({ invocationId: idOfRow(row), kind: 'diagnostic', severity: 'error', status: null, message, file });
    const events = [error(1, "'a' undeclared", 'x.c'), error(2, "'b' undeclared", 'x.c'), error(2, 'expected 2 arguments', 'src/y.c')];
    const text = renderStats(computeStats(INDEX, {}, { now: NOW, timeZone: 'UTC', days: 7, events }), { color: false, width: 80, home: '/home/ana' });
    const lines = text.split('\n');
    const errors = lines.indexOf('Most frequent errors');
    const files = lines.indexOf('Files that fail most');
    expect(errors).toBeGreaterThan(lines.indexOf('Directories'));
    expect(lines.slice(errors + 1, errors + 3)).toEqual([`'…' undeclared         ${'█'.repeat(48)} 2 2 cmds`, `expected <n> arguments ${'█'.repeat(24)}${' '.repeat(24)} 1  1 cmd`]);
    expect(lines.slice(files + 1, files + 3)).toEqual([`~/bird/x.c     ${'█'.repeat(56)} 2 2 cmds`, `~/bird/src/y.c ${'█'.repeat(28)}${' '.repeat(28)} 1  1 cmd`]);
    expect(renderStats(REPORT, { color: false, width: 80 })).not.toContain('Most frequent errors');
    expect(renderStats(REPORT, { color: false, width: 80 })).not.toContain('Files that fail most');
  });

  it('says what the filter was, in the report’s time zone', () => {
    const report = computeStats(INDEX, { host: 'laptop', dir: '/home/ana/bird', sinceUs: us('2024-05-05T00:00:00Z') }, { now: NOW, timeZone: 'America/New_York' });
    const lines = renderStats(report, { color: false, width: 80, home: '/home/ana' }).split('\n');
    expect(lines.slice(0, 3)).toEqual([
      '4 commands, 3 distinct, 2024-05-05 → 2024-05-08 (America/New_York)',
      'host laptop, under ~/bird, since 2024-05-04 20:00',
      '2 failed (50.0% of the 4 with a known exit code)',
    ]);
  });

  it.each([
    ['no history', {}, 'No commands yet.\n'],
    ['a filter nothing matches', { host: 'nowhere', source: 'work' }, 'No commands match: host nowhere, source work.\n'],
  ])('says so when there is %s', (_, filter, expected) => {
    expect(renderStats(computeStats(EMPTY_INDEX, filter, { now: NOW, timeZone: 'UTC' }), { color: true, width: 80 })).toBe(expected);
  });

  it.each([
    ['24h', 'Last 2 days', us('2024-05-09T12:00:00Z')],
    ['1h', 'Today', us('2024-05-10T11:00:00Z')],
  ])('titles the days --since %s leaves “%s”, not the default 30', (_, title, sinceUs) => {
    const lines = renderStats(computeStats(INDEX, { sinceUs }, { now: NOW, timeZone: 'UTC' }), { color: false, width: 80 }).split('\n');
    expect(lines).toContain(title);
    expect(lines.some((line) => /^Last \d+ days$/.test(line) && line !== title)).toBe(false);
  });

  it('says “1 command”, not “1 commands”', () => {
    const index = buildIndex([{ id: 'a', timestampUs: us('2024-05-10T10:00:00Z'), durationMs: 5, exitCode: 0, cmd: 'ls', cwd: '/', session: 's', host: 'h', source: 'local' }]);
    const text = renderStats(computeStats(index, {}, { now: NOW, timeZone: 'UTC' }), { color: false, width: 80 });
    expect(text.split('\n')[0]).toBe('1 command, 1 distinct, 2024-05-10 → 2024-05-10 (UTC)');
  });

  it('says so when no exit code is known', () => {
    const index = buildIndex([{ id: 'a', timestampUs: us('2024-05-10T10:00:00Z'), durationMs: null, exitCode: null, cmd: 'ls', cwd: '/', session: 's', host: 'h', source: 'local' }]);
    const text = renderStats(computeStats(index, {}, { now: NOW, timeZone: 'UTC' }), { color: false, width: 80 });
    expect(text.split('\n')[1]).toBe('No exit codes known, so no failures to count.');
    expect(text).not.toContain('Fail most');
    expect(text).not.toContain('Slowest');
  });

  it('shows control characters in commands and directories as escapes, colour or not', () => {
    const index = buildIndex([{ id: 'a', timestampUs: us('2024-05-10T10:00:00Z'), durationMs: 1, exitCode: 1, cmd: '\x1b[31mred\x07 x', cwd: '/tmp/\x1b[2J', session: 's', host: 'h', source: 'local' }]);
    const report = computeStats(index, {}, { now: NOW, timeZone: 'UTC' });
    const text = renderStats(report, { color: true, width: 80 });
    expect(plain(text)).not.toMatch(/[\x00-\x09\x0b-\x1f]/);
    expect(text).toContain('/tmp/\\x1b[2J');
    expect(text).toContain('\\x1b[31mred\\x07');
  });

  it('shows only the most recent days when the sparkline would not fit', () => {
    const text = renderStats(computeStats(INDEX, {}, { now: NOW, timeZone: 'UTC', days: 30 }), { color: false, width: 12 });
    expect(text).toContain('\nLast 12 days\n     ████▄▄█\n');
  });
});

describe('statsJson', () => {
  it('is the report, pretty-printed with 2 spaces, and the same text every time', () => {
    const json = statsJson(REPORT);
    expect(JSON.parse(json)).toEqual(REPORT);
    expect(json.endsWith('}\n')).toBe(true);
    expect(json.split('\n').slice(0, 3)).toEqual(['{', '  "timeZone": "UTC",', '  "filter": {},']);
    expect(statsJson(computeStats(INDEX, {}, { now: NOW, timeZone: 'UTC', days: 7 }))).toBe(json);
  });

  it('writes an empty report with null, not NaN', () => {
    const json = statsJson(computeStats(EMPTY_INDEX, {}, { now: NOW, timeZone: 'UTC', days: 1 }));
    expect(json).toContain('"period": null');
    expect(json).toContain('"failureRate": null');
    expect(json).not.toContain('NaN');
  });
});
