import { describe, expect, it } from 'vitest';
import { fitWidths, renderTable, type TextTable } from './table.ts';
import { displayWidth, truncateStartToWidth, truncateToWidth } from './text-width.ts';

describe('displayWidth', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['日本語', 6],
    ['한국', 4],
    ['e\u0301', 1], // e + combining acute
    ['🐦', 2],
    ['©', 1],
    ['ａ', 2], // fullwidth a
  ])('%j is %i columns', (text, width) => {
    expect(displayWidth(text)).toBe(width);
  });
});

describe('truncateToWidth', () => {
  it.each([
    ['hello', 10, 'hello'],
    ['hello', 5, 'hello'],
    ['hello world', 6, 'hello…'],
    ['日本語テキスト', 5, '日本…'],
    ['abc', 1, '…'],
    ['abc', 0, ''],
  ])('%j cut to %i is %j', (text, max, expected) => {
    expect(truncateToWidth(text, max)).toBe(expected);
    expect(displayWidth(truncateToWidth(text, max))).toBeLessThanOrEqual(Math.max(max, 0));
  });
});

describe('truncateStartToWidth', () => {
  it.each([
    ['~/src/bird', 20, '~/src/bird'],
    ['~/work/clients/acme/platform', 16, '…/acme/platform'],
    // The cut lands inside a name: drop that part, so only whole folder names remain.
    ['/srv/a-long-name/x', 12, '…/x'],
    // No `/` left to cut at (or only at the very end): the tail as it is.
    ['averyveryverylongname', 8, '…ongname'],
    ['/日本語/テキスト', 10, '…/テキスト'],
    ['/日本語/テキスト', 9, '…テキスト'],
    ['abc', 1, '…'],
    ['abc', 0, ''],
  ])('%j cut to %i is %j', (text, max, expected) => {
    expect(truncateStartToWidth(text, max)).toBe(expected);
    expect(displayWidth(truncateStartToWidth(text, max))).toBeLessThanOrEqual(Math.max(max, 0));
  });
});


describe('renderTable', () => {
  const table: TextTable = {
    headers: ['name', 'n', 'note'],
    align: ['left', 'right', 'left'],
    rows: [
      ['alpha', '1', 'short'],
      ['b', '12345', 'a much longer note than the others'],
    ],
  };

  it('aligns columns, right-aligns numbers and leaves no trailing blanks', () => {
    expect(renderTable(table)).toBe(
      [
        'name       n  note',
        '-----  -----  ----------------------------------',
        'alpha      1  short',
        'b      12345  a much longer note than the others',
        '',
      ].join('\n'),
    );
  });

  it('prints only the header and rule when there are no rows', () => {
    expect(renderTable({ headers: ['a', 'bb'], align: ['left', 'left'], rows: [] })).toBe('a  bb\n-  --\n');
  });

  it('fits a terminal width by cutting the widest text column', () => {
    const out = renderTable(table, { maxWidth: 30 });
    const lines = out.trimEnd().split('\n');
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(30);
    expect(lines[3]).toBe('b      12345  a much longer n…');
    expect(lines[2]).toBe('alpha      1  short');
  });

  it('keeps columns that are not cuttable whole', () => {
    const out = renderTable({ ...table, cuttable: [false, false, true] }, { maxWidth: 20 });
    expect(out.split('\n')[3]).toBe('b      12345  a muc…');
  });

  it('never cuts when no width is given, however long the cell', () => {
    const long = 'x'.repeat(100_000);
    const out = renderTable({ headers: ['cmd'], align: ['left'], rows: [[long]] });
    expect(out).toContain(long);
  });

  it.each([undefined, 80])('renders any number of rows (150000, maxWidth %s) and any number of columns', (maxWidth) => {
    const rows = Array.from({ length: 150_000 }, (_, i) => [String(i), 'x'.repeat(i % 9)]);
    const lines = renderTable({ headers: ['n', 'text'], align: ['right', 'left'], rows }, { maxWidth }).trimEnd().split('\n');
    expect(lines).toHaveLength(150_002);
    expect(lines.at(-1)).toBe(`149999  ${'x'.repeat(149_999 % 9)}`);
    const wide = Array.from({ length: 150_000 }, (_, i) => `c${i}`);
    const out = renderTable({ headers: wide, align: wide.map(() => 'left' as const), rows: [wide] }, { maxWidth });
    expect(out.split('\n')).toHaveLength(4);
  });

  it('gives a cell of several lines that many lines, the other cells blank below it', () => {
    const out = renderTable({ headers: ['n', 'cmd', 'end'], align: ['right', 'left', 'left'], rows: [['1', 'a\nbb\nccc', 'x'], ['2', 'd', 'y']] });
    expect(out).toBe(['n  cmd  end', '-  ---  ---', '1  a    x', '   bb', '   ccc', '2  d    y', ''].join('\n'));
  });

  it('aligns wide characters by display width', () => {
    const out = renderTable({ headers: ['a', 'b'], align: ['left', 'left'], rows: [['日本', 'x'], ['ab', 'y']] });
    expect(out.split('\n')[2]).toBe('日本  x');
    expect(out.split('\n')[3]).toBe('ab    y');
  });
});

describe('fitWidths', () => {
  it.each([
    { natural: [10, 10], cuttable: [true, true], max: 100, expected: [10, 10] },
    { natural: [50, 10], cuttable: [true, true], max: 30, expected: [18, 10] },
    { natural: [50, 50], cuttable: [true, true], max: 32, expected: [15, 15] },
    { natural: [20, 50], cuttable: [false, true], max: 30, expected: [20, 8] },
    { natural: [19, 30, 40], cuttable: [false, true, true], max: 50, expected: [19, 13, 14] },
    // Nothing left to cut: fixed columns keep their width and text stops at its floor.
    { natural: [40, 40], cuttable: [false, true], max: 10, expected: [40, 6] },
    { natural: [3, 40], cuttable: [true, true], max: 10, expected: [3, 6] },
  ] as const)('$natural in $max columns → $expected', ({ natural, cuttable, max, expected }) => {
    expect(fitWidths(natural, cuttable, max)).toEqual(expected);
  });
});
