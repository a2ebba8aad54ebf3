import { describe, expect, it } from 'vitest';
import { errorPattern } from './error-pattern.ts';

describe('errorPattern', () => {
  it.each([
    // gcc's quotes, in Unicode and in ASCII (LANG=C)
    ["‘count’ undeclared (first use in this function)", '‘…’ undeclared (first use in this function)'],
    ["'total' undeclared (first use in this function)", "'…' undeclared (first use in this function)"],
    // tsc and mypy name things in quotes too, and keep their codes out of the message
    ["Cannot find name 'foo'.", "Cannot find name '…'."],
    ['Argument of type "int" cannot be assigned to parameter "s" of type "str"', 'Argument of type "…" cannot be assigned to parameter "…" of type "…"'],
    ['Module `serde_json` not found', 'Module `…` not found'],
    // numbers, but not the digits inside a word
    ['expected 3 arguments, got 2', 'expected <n> arguments, got <n>'],
    ['line too long (101 > 79 characters)', 'line too long (<n> > <n> characters)'],
    ['invalid utf8 at offset 0x1f', 'invalid utf8 at offset <n>'],
    ['E501 and TS2304 stay', 'E501 and TS2304 stay'],
    ['timed out after 1.5 s', 'timed out after <n> s'],
    // paths, absolute, relative and with their place
    ['No such file or directory: /home/ana/src/app/main.py', 'No such file or directory: <path>'],
    ['cannot open src/lib/util.c:12:3 for reading', 'cannot open <path> for reading'],
    ['included from ./include/a.h', 'included from <path>'],
    // spaces
    ['  too   many\tspaces \n here ', 'too many spaces here'],
    ['', ''],
  ])('%j → %j', (message, pattern) => {
    expect(errorPattern(message)).toBe(pattern);
  });

  it('makes one pattern of messages that differ only in their particulars', () => {
    expect(errorPattern("‘x’ undeclared (first use in this function)")).toBe(errorPattern("‘y_total’ undeclared (first use in this function)"));
    expect(errorPattern('ZeroDivisionError: division by zero')).not.toBe(errorPattern('KeyError: 3'));
  });

  it('cuts a long message to 200 characters, marking the cut', () => {
    const pattern = errorPattern('word '.repeat(100));
    expect(pattern).toHaveLength(200);
    expect(pattern.endsWith('…')).toBe(true);
  });
});
