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

describe('control and bidi characters, on a terminal and piped alike', () => {
  const nasty: ResultSet = {
    columns: [
      { name: 'cmd', type: 'VARCHAR' },
      { name: 'n', type: 'INTEGER' },
    ],
    rows: [
      ['echo \x1b[2J\u202eevil\u202c, ok', 1],
      ['two\nlines\r\x9b', 3],
      ['plain', 22],
    ],
  };

  it('csv: escaped, a newline kept inside its quoted field', () => {
    expect(renderCsv(nasty)).toBe('cmd,n\n"echo \\x1b[2J\\u202eevil\\u202c, ok",1\n"two\nlines\\r\\x9b",3\nplain,22\n');
  });

  it('json: \\u escapes, the same value', () => {
    const shown = renderJson(nasty);
    expect(shown).toBe('[\n{"cmd":"echo \\u001b[2J\\u202eevil\\u202c, ok","n":1},\n{"cmd":"two\\nlines\\r\\u009b","n":3},\n{"cmd":"plain","n":22}\n]\n');
    expect(JSON.parse(shown).map((r: { cmd: string }) => r.cmd)).toEqual(nasty.rows.map((r) => r[0]));
  });

  it('table: escaped, and the columns still line up', () => {
    const lines = renderResult(nasty, 'table').trimEnd().split('\n');
    expect(lines[2]).toBe('echo \\x1b[2J\\u202eevil\\u202c, ok   1');
    expect(lines[1]!.length).toBe(lines[2]!.length);
    expect(lines[3]).toBe(`two\\nlines\\r\\x9b${' '.repeat(lines[2]!.length - 17)}3`);
    expect(lines[4]).toBe(`plain${' '.repeat(lines[2]!.length - 7)}22`);
  });
});
