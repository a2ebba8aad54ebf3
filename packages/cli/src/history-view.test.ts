import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIndex, encodeSnapshot, indexFiles, openRecentHistory, type HistoryRow, type RecentHistory } from '@bird/history-index';
import { MAX_COMMAND_LINES, commandLines, historyResult, historyTable, isoMicros, newestMatching, originMark, parseCount, planHistoryColumns, type HistoryOptions, type HistoryPlan, type NaturalWidths } from './history-view.ts';
import { escapePlain } from './format/text-width.ts';
import { renderTable } from './format/table.ts';

const savedTz = process.env.TZ;
beforeAll(() => {
  process.env.TZ = 'UTC';
});
afterAll(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
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

/** A row of an index, `n` seconds after 2025-03-01T12:34:56Z. */
const row = (n: number, over = {}) => ({ id: `0190f00${n}-0000-7000-8000-000000000000`, timestampUs: 1_740_832_496_000_000 + n * 1_000_001, durationMs: 1250, exitCode: 0, cmd: `c${n}`, cwd: '/src', session: 's', host: 'h', source: 'local', ...over });

describe('originMark', () => {
  it.each([
    ['local', 'laptop', ''],
    ['team', 'bob-pc', 'bob-pc@team'],
    ['team', '', '@team'],
    ['team', undefined, '@team'],
  ])('source %j, host %j → %j', (source, host, mark) => {
    expect(originMark(source, host)).toBe(mark);
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

  it('writes values in the plain form: `\\n` is a newline, `\\\\n` a backslash and an n', () => {
    const table = historyTable({ columns: [], rows: [['2025-03-01T12:00:00Z', 0, 5, '/tmp/a\\b', "printf 'a\\n' \x1b]0;x\x07\ttab\u202e"]] }, undefined);
    expect(table.rows[0]!.slice(3)).toEqual(['/tmp/a\\\\b', "printf 'a\\\\n' \\x1b]0;x\\x07\\ttab\\u202e"]);
  });

  it('gives the command the room in a narrow terminal: the time shortens and the duration goes first', () => {
    const cmd = 'docker run --rm -it -v "$PWD":/work -w /work node:20 npm test';
    const rows = [['2025-03-01T12:00:00Z', 0, 1250, '/home/ana/work/clients/acme/platform', cmd]];
    const lines = renderTable(historyTable({ columns: [], rows }, '/home/ana', { maxWidth: 60, nowMs: Date.parse('2025-03-01T15:00:00Z') })).split('\n');
    // Before: the full time and the duration kept their 19 and 8 columns, and the command got 11.
    expect(lines[0]).toBe('time         exit  cwd         cmd');
    expect(lines[2]).toBe('03-01 12:00     0  …/platform  docker run --rm -it -v "$P…');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(60);
  });

  it('prints a multi-line command as its lines, under its own column, and cuts a long folder from the left', () => {
    const input = { columns: [], rows: [['2025-03-01T12:00:00Z', 0, 5, '/home/ana/work/clients/acme/platform/services/billing', 'for f in *.txt\ndo\n  wc -l "$f"\ndone'], ['2025-03-01T12:01:00Z', 0, 5, '/tmp', 'ls']] };
    expect(renderTable(historyTable(input, '/home/ana', { maxWidth: 72 })).split('\n')).toEqual([
      'time                 exit  duration  cwd                 cmd',
      '-------------------  ----  --------  ------------------  --------------',
      '2025-03-01 12:00:00     0       5ms  …/services/billing  for f in *.txt',
      '                                                         do',
      '                                                           wc -l "$f"',
      '                                                         done',
      '2025-03-01 12:01:00     0       5ms  /tmp                ls',
      '',
    ]);
  });

  it('takes the newest rows first from the index, with values typed as bird sql gives them', () => {
    const index = buildIndex([row(1), row(3, { exitCode: null, durationMs: null }), row(2)]);
    expect(historyResult(index, 2).columns.map((c) => c.name)).toEqual(['timestamp', 'exit_code', 'duration_ms', 'cwd', 'cmd', 'hostname', '_source']);
    expect(historyResult(index, 2).rows).toEqual([
      ['2025-03-01T12:34:59.000003Z', null, null, '/src', 'c3', 'h', 'local'],
      ['2025-03-01T12:34:58.000002Z', 0, 1250, '/src', 'c2', 'h', 'local'],
    ]);
    expect(historyResult(index, 10).rows).toHaveLength(3);
  });

  describe('with a teammate\'s rows pulled from two remotes', () => {
    const index = buildIndex([
      row(1),
      row(2, { host: 'bob-pc', source: 'team' }),
      row(3, { host: '', source: 'team' }),
      row(4, { host: 'bob-pc', source: 'backup' }),
      row(5),
    ]);
    const cmds = (options: Parameters<typeof historyResult>[2]) => historyResult(index, 10, options).rows.map((r) => r[4]);

    it('gives each row its host and source, an unknown host as null', () => {
      expect(historyResult(index, 10).rows.map((r) => r.slice(4))).toEqual([
        ['c5', 'h', 'local'],
        ['c4', 'bob-pc', 'backup'],
        ['c3', null, 'team'],
        ['c2', 'bob-pc', 'team'],
        ['c1', 'h', 'local'],
      ]);
    });

    it.each<[string, NonNullable<Parameters<typeof historyResult>[2]>, string[]]>([
      ['only yours', { filter: { source: 'local' } }, ['c5', 'c1']],
      ['one remote', { filter: { source: 'team' } }, ['c3', 'c2']],
      ['one host', { filter: { host: 'bob-pc' } }, ['c4', 'c2']],
      ['a host and a source', { filter: { host: 'bob-pc', source: 'team' } }, ['c2']],
      ['an unknown source', { filter: { source: 'nowhere' } }, []],
      ['a source, oldest first, with text', { filter: { source: 'local' }, reverse: true, text: 'c' }, ['c1', 'c5']],
    ])('keeps %s', (_, options, expected) => {
      expect(cmds(options)).toEqual(expected);
    });

    it('counts -n among the rows kept', () => {
      expect(historyResult(index, 1, { filter: { source: 'local' } }).rows.map((r) => r[4])).toEqual(['c5']);
    });

    it('marks pulled rows host@remote in a from column, and leaves this machine\'s blank', () => {
      const table = historyTable(historyResult(index, 10), '/home/ana');
      expect(table.headers).toEqual(['time', 'exit', 'duration', 'from', 'cwd', 'cmd']);
      expect(table.rows.map((r) => [r[3], r[5]])).toEqual([
        ['', 'c5'],
        ['bob-pc@backup', 'c4'],
        ['@team', 'c3'],
        ['bob-pc@team', 'c2'],
        ['', 'c1'],
      ]);
    });

    it('has no from column when every row shown is this machine\'s', () => {
      expect(historyTable(historyResult(index, 10, { filter: { source: 'local' } }), '/home/ana').headers).toEqual(['time', 'exit', 'duration', 'cwd', 'cmd']);
    });
  });

  describe('TEXT: smart case and accents, as the search and fzf', () => {
    const index = buildIndex([row(1, { cmd: 'echo naïve' }), row(2, { cmd: 'ECHO loud' }), row(3, { cmd: 'echo café' }), row(4, { cmd: 'Echo Ørsted' })]);
    it.each<[string, string[]]>([
      ['echo', ['Echo Ørsted', 'echo café', 'ECHO loud', 'echo naïve']],
      ['ECHO', ['ECHO loud']],
      ['naive', ['echo naïve']],
      ['naïve', ['echo naïve']],
      ['cafe', ['echo café']],
      ['CAFE', []],
      ['orsted', ['Echo Ørsted']],
      ['Ørsted', ['Echo Ørsted']],
      ['ørsted', ['Echo Ørsted']],
    ])('%j keeps %j', (text, cmds) => {
      expect(historyResult(index, 10, { text }).rows.map((r) => r[4])).toEqual(cmds);
    });
  });

  it('escapes a pulled host name, which another machine wrote', () => {
    const table = historyTable(historyResult(buildIndex([row(1, { host: 'evil\u001b[2J\u202e', source: 'team' })]), 1), undefined);
    expect(table.rows[0]![3]).toBe('evil\\x1b[2J\\u202e@team');
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
    // A carriage return is shown, not taken for part of a line break: the plain form keeps it.
    ['dos\r\nlines', 'dos\\r\nlines'],
    ['tab\there\n\u001b[31m', 'tab\\there\n\\x1b[31m'],
    ['a \\\n  b', 'a \\\\\n  b'],
    [Array.from({ length: MAX_COMMAND_LINES }, (_, i) => `l${i}`).join('\n'), 'l0\nl1\nl2\nl3\nl4'],
    [Array.from({ length: 40 }, (_, i) => `l${i}`).join('\n'), 'l0\nl1\nl2\nl3\n… 36 more lines'],
  ])('%j is shown as %j', (cmd, shown) => {
    expect(commandLines(cmd, escapePlain).join('\n')).toBe(shown);
  });
});

describe('planHistoryColumns', () => {
  /** The widths of the usual columns: a full time, `exit`, `duration`; the folder and command as given. */
  const natural = (cwd: number, cmd: number, from: number | null = null): NaturalWidths => ({ time: { full: 19, short: 11, ago: 4 }, exit: 4, duration: 8, from, cwd, cmd });

  it.each<[string, NaturalWidths, number, HistoryPlan]>([
    ['everything fits', natural(20, 30), 120, { time: 'full', duration: true, from: null, cwd: 20, cmd: 30 }],
    ['a long command in 120 columns', natural(20, 200), 120, { time: 'full', duration: true, from: null, cwd: 20, cmd: 61 }],
    ['a long folder and command in 120 columns: the folder gets 24', natural(60, 200), 120, { time: 'full', duration: true, from: null, cwd: 24, cmd: 57 }],
    ['80 columns: the time is shorter', natural(30, 200), 80, { time: 'short', duration: true, from: null, cwd: 16, cmd: 33 }],
    ['60 columns: the duration goes too', natural(30, 200), 60, { time: 'short', duration: false, from: null, cwd: 12, cmd: 27 }],
    ['40 columns: the time is how long ago', natural(30, 200), 40, { time: 'ago', duration: false, from: null, cwd: 8, cmd: 18 }],
    ['a command that is short of its room takes it, and leaves the rest to the folder', natural(30, 20), 60, { time: 'short', duration: false, from: null, cwd: 19, cmd: 20 }],
    ['with an origin column', natural(30, 200, 16), 100, { time: 'short', duration: false, from: 16, cwd: 20, cmd: 41 }],
    ['a tiny terminal still shows a character of the command', natural(30, 200, 16), 20, { time: 'ago', duration: false, from: 8, cwd: 8, cmd: 1 }],
  ])('%s', (_name, widths, width, plan) => {
    expect(planHistoryColumns(widths, width)).toEqual(plan);
  });
});

describe('newestMatching: the newest rows, read back from the newest as far as needed', () => {
  const ROWS = 20_000;
  const rows: HistoryRow[] = Array.from({ length: ROWS }, (_, n) => ({
    id: `0190f000-0000-7000-8000-${String(n).padStart(12, '0')}`,
    timestampUs: 1_700_000_000_000_000 + n * 1_000_000,
    durationMs: n,
    exitCode: 0,
    cmd: n === 100 || n === 5_000 ? `needle ${n}` : `cmd ${n % 700}`,
    cwd: '/home/ana',
    session: 's',
    host: n === 10 ? 'far' : 'box',
    source: 'local',
  }));
  const whole = buildIndex(rows);
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bird-newest-'));
    writeFileSync(indexFiles(dir).snapshot, encodeSnapshot(whole, 1));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The index read in place, and the row counts each read asked for. */
  const opened = (): { recent: RecentHistory; asked: number[] } => {
    const read = openRecentHistory(dir);
    if (!read.ok) throw new Error(read.detail);
    const asked: number[] = [];
    return { asked, recent: { newest: (n) => (asked.push(n), read.history.newest(n)), all: () => read.history.all(), inPlace: () => read.history.inPlace(), close: () => read.history.close() } };
  };

  it.each<[string, number, HistoryOptions]>([
    ['the newest 20', 20, {}],
    ['oldest first', 20, { reverse: true }],
    ['text found only far back', 2, { text: 'needle' }],
    ['more than there are', 5, { text: 'needle' }],
    ['a host of one old row', 3, { filter: { host: 'far' } }],
    ['a host there is not', 3, { filter: { host: 'nowhere' } }],
  ])('%s: as the whole index answers', (_, count, options) => {
    const { recent, asked } = opened();
    try {
      expect(newestMatching(recent, count, options).result).toEqual(historyResult(whole, count, options));
      expect(asked.length).toBeGreaterThan(0);
    } finally {
      recent.close();
    }
  });

  it('reads only the newest few hundred rows for `-n 20`', () => {
    const { recent, asked } = opened();
    try {
      newestMatching(recent, 20, {});
      expect(asked).toEqual([256]);
    } finally {
      recent.close();
    }
  });
});
