import { describe, expect, it } from 'vitest';
import { csvField, renderCsv, renderJson, renderResult, uniqueKeys } from './render-result.ts';
import type { ResultSet } from './result-set.ts';

const result: ResultSet = {
  columns: [
    { name: 'cmd', type: 'VARCHAR' },
    { name: 'exit_code', type: 'INTEGER' },
    { name: 'cwd', type: 'VARCHAR' },
  ],
  rows: [
    ['echo "hi", there', 0, '/tmp'],
    ['printf \'a\nb\'', 1, null],
  ],
};

describe('csvField', () => {
  it.each([
    ['plain', 'plain'],
    ['', ''],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\r', '"cr\r"'],
    ['日本', '日本'],
  ])('%j → %j', (text, expected) => {
    expect(csvField(text)).toBe(expected);
  });
});

describe('renderCsv', () => {
  it('writes a header and RFC 4180 rows; NULL is an empty field', () => {
    expect(renderCsv(result)).toBe('cmd,exit_code,cwd\n"echo ""hi"", there",0,/tmp\n"printf \'a\nb\'",1,\n');
  });
});

describe('renderJson', () => {
  it('is an array of objects, one per row', () => {
    const out = renderJson(result);
    expect(JSON.parse(out)).toEqual([
      { cmd: 'echo "hi", there', exit_code: 0, cwd: '/tmp' },
      { cmd: "printf 'a\nb'", exit_code: 1, cwd: null },
    ]);
    expect(out.split('\n')).toHaveLength(5); // [, row, row, ], ''
  });

  it('is [] with no rows', () => {
    expect(renderJson({ columns: result.columns, rows: [] })).toBe('[]\n');
  });

  it('keeps every value of repeated column names', () => {
    expect(uniqueKeys(['a', 'a', 'b', 'a_2'])).toEqual(['a', 'a_2', 'b', 'a_2_2']);
    const out = renderJson({ columns: [{ name: 'a', type: 'INTEGER' }, { name: 'a', type: 'INTEGER' }], rows: [[1, 2]] });
    expect(JSON.parse(out)).toEqual([{ a: 1, a_2: 2 }]);
  });
});

describe('renderResult as a table', () => {
  it('escapes newlines, shows NULL and right-aligns numbers', () => {
    expect(renderResult(result, 'table')).toBe(
      [
        'cmd               exit_code  cwd',
        '----------------  ---------  ----',
        'echo "hi", there          0  /tmp',
        "printf 'a\\nb'             1  NULL",
        '',
      ].join('\n'),
    );
  });

  it('prints nothing for a statement without columns', () => {
    for (const format of ['table', 'csv', 'json'] as const) expect(renderResult({ columns: [], rows: [] }, format)).toBe('');
  });
});

describe('what a terminal is shown (terminal: true) and what a pipe gets', () => {
  const nasty: ResultSet = {
    columns: [
      { name: 'cmd', type: 'VARCHAR' },
      { name: 'n', type: 'INTEGER' },
    ],
    rows: [
      ['echo \x1b[2J\u202eevil\u202c, ok', 1],
      ['plain', 22],
    ],
  };

  it('csv: escaped in a terminal, byte-exact when piped', () => {
    expect(renderCsv(nasty, { terminal: true })).toBe('cmd,n\n"echo \\x1b[2J\\u202eevil\\u202c, ok",1\nplain,22\n');
    expect(renderCsv(nasty)).toBe('cmd,n\n"echo \x1b[2J\u202eevil\u202c, ok",1\nplain,22\n');
  });

  it('json: \\u escapes in a terminal (the same value), raw when piped', () => {
    const shown = renderJson(nasty, { terminal: true });
    expect(shown).toBe('[\n{"cmd":"echo \\u001b[2J\\u202eevil\\u202c, ok","n":1},\n{"cmd":"plain","n":22}\n]\n');
    expect(JSON.parse(shown)).toEqual(JSON.parse(renderJson(nasty)));
    expect(renderJson(nasty)).toContain('\u202e');
  });

  it('table: bidi controls escaped in a terminal, and the columns still line up', () => {
    const lines = renderResult(nasty, 'table', { terminal: true }).trimEnd().split('\n');
    expect(lines[2]).toBe('echo \\x1b[2J\\u202eevil\\u202c, ok   1');
    expect(lines[1]!.length).toBe(lines[2]!.length);
    expect(lines[3]).toBe(`plain${' '.repeat(lines[2]!.length - 7)}22`);
    // Piped, the layout still escapes C0 controls; bidi controls pass as they are.
    expect(renderResult(nasty, 'table').split('\n')[2]).toBe('echo \\x1b[2J\u202eevil\u202c, ok   1');
  });
});
