import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIndex } from '@bird/history-index';
import { MAX_COMMAND_LINES, commandLines, formatDuration, historyResult, historyTable, isoMicros, parseCount, shortenHome } from './history-view.ts';
import { escapeControls } from './format/text-width.ts';
import { renderTable } from './format/table.ts';

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
  it('shows local time, exit, a short duration, ~ and a multi-line command as its lines', () => {
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
      ['2025-03-01 12:34:56', '0', '1.2s', '~/src', 'echo one\necho two'],
      ['2025-03-01 12:00:00', '', '', '', 'ls'],
    ]);
  });

  it('prints a multi-line command as its lines, under its own column, and cuts a long folder from the left', () => {
    const table = historyTable({ columns: [], rows: [['2025-03-01T12:00:00Z', 0, 5, '/home/ana/work/clients/acme/platform/services/billing', 'for f in *.txt\ndo\n  wc -l "$f"\ndone'], ['2025-03-01T12:01:00Z', 0, 5, '/tmp', 'ls']] }, '/home/ana');
    expect(renderTable(table, { maxWidth: 72 }).split('\n')).toEqual([
      'time                 exit  duration  cwd                  cmd',
      '-------------------  ----  --------  -------------------  --------------',
      '2025-03-01 12:00:00     0       5ms  …/services/billing   for f in *.txt',
      '                                                          do',
      '                                                            wc -l "$f"',
      '                                                          done',
      '2025-03-01 12:01:00     0       5ms  /tmp                 ls',
      '',
    ]);
  });

  it('takes the newest rows first from the index, with values typed as bird sql gives them', () => {
    const row = (n: number, over = {}) => ({ id: `0190f00${n}-0000-7000-8000-000000000000`, timestampUs: 1_740_832_496_000_000 + n * 1_000_001, durationMs: 1250, exitCode: 0, cmd: `c${n}`, cwd: '/src', session: 's', host: 'h', source: 'local', ...over });
    const index = buildIndex([row(1), row(3, { exitCode: null, durationMs: null }), row(2)]);
    expect(historyResult(index, 2).rows).toEqual([
      ['2025-03-01T12:34:59.000003Z', null, null, '/src', 'c3'],
      ['2025-03-01T12:34:58.000002Z', 0, 1250, '/src', 'c2'],
    ]);
    expect(historyResult(index, 10).rows).toHaveLength(3);
  });

  it.each([
    [0, '1970-01-01T00:00:00.000000Z'],
    [1_740_832_496_123_456, '2025-03-01T12:34:56.123456Z'],
    [-1, '1969-12-31T23:59:59.999999Z'],
  ])('isoMicros(%d) = %s', (us, text) => {
    expect(isoMicros(us)).toBe(text);
  });
});

describe('commandLines', () => {
  it.each([
    ['ls', 'ls'],
    ['echo one\necho two', 'echo one\necho two'],
    ['dos\r\nlines', 'dos\nlines'],
    ['tab\there\n\u001b[31m', 'tab\\there\n\\x1b[31m'],
    [Array.from({ length: MAX_COMMAND_LINES }, (_, i) => `l${i}`).join('\n'), 'l0\nl1\nl2\nl3\nl4'],
    [Array.from({ length: 40 }, (_, i) => `l${i}`).join('\n'), 'l0\nl1\nl2\nl3\n… 36 more lines'],
  ])('%j is shown as %j', (cmd, shown) => {
    expect(commandLines(cmd, escapeControls)).toBe(shown);
  });
});
