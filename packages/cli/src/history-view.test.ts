import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDuration, historyQuery, historyTable, parseCount, shortenHome } from './history-view.ts';

const savedTz = process.env.TZ;
beforeAll(() => {
  process.env.TZ = 'UTC';
});
afterAll(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [7, '7ms'],
    [999, '999ms'],
    [1000, '1.0s'],
    [1250, '1.2s'],
    [59_999, '59.9s'],
    [60_000, '1m00s'],
    [184_000, '3m04s'],
    [3_599_999, '59m59s'],
    [3_600_000, '1h00m'],
    [7_380_000, '2h03m'],
    [-5, '-5'],
  ])('%i ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('parseCount', () => {
  it.each([
    ['1', 1],
    ['20', 20],
    ['007', 7],
    ['0', undefined],
    ['-3', undefined],
    ['1.5', undefined],
    ['ten', undefined],
    ['', undefined],
    ['1e3', undefined],
    ['99999999999999999999', undefined],
  ])('%j → %s', (text, n) => {
    expect(parseCount(text)).toBe(n);
  });
});

describe('shortenHome', () => {
  it.each([
    ['/home/ana/src', '/home/ana', '~/src'],
    ['/home/ana', '/home/ana/', '~'],
    ['/home/anabel/x', '/home/ana', '/home/anabel/x'],
    ['/tmp', undefined, '/tmp'],
    ['/etc', '/', '/etc'],
  ])('%s with HOME=%s → %s', (path, home, expected) => {
    expect(shortenHome(path, home)).toBe(expected);
  });
});

describe('historyTable', () => {
  it('shows local time, exit, a short duration, ~ and escaped commands', () => {
    const table = historyTable(
      {
        columns: [],
        rows: [
          ['2025-03-01T12:34:56.789012Z', 0, 1250, '/home/ana/src', 'echo one\necho two'],
          ['2025-03-01T12:00:00Z', null, null, null, 'ls'],
        ],
      },
      '/home/ana',
    );
    expect(table.headers).toEqual(['time', 'exit', 'duration', 'cwd', 'cmd']);
    expect(table.rows).toEqual([
      ['2025-03-01 12:34:56', '0', '1.2s', '~/src', 'echo one\\necho two'],
      ['2025-03-01 12:00:00', '', '', '', 'ls'],
    ]);
  });

  it('asks for the newest rows first', () => {
    expect(historyQuery(5)).toMatch(/FROM main\.invocations ORDER BY "timestamp" DESC, id DESC LIMIT 5$/);
  });
});
