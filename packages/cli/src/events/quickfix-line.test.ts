import { describe, expect, it } from 'vitest';
import { quickfixLine, type ListedEvent } from './quickfix-line.ts';

const none: ListedEvent = { kind: 'diagnostic', severity: null, file: null, line: null, column: null, message: null, code: null, testName: null, status: null, cwd: null };

describe('quickfixLine', () => {
  it.each<[string, Partial<ListedEvent>, string]>([
    ['a whole diagnostic', { severity: 'error', file: 'bad.c', line: 4, column: 10, message: '‘y’ undeclared', code: 'E1', cwd: '/src' }, '/src/bad.c:4:10: error: ‘y’ undeclared [E1]'],
    ['an absolute file', { severity: 'warning', file: '/x/a.py', line: 2, message: 'm', cwd: '/src' }, '/x/a.py:2: warning: m'],
    ['no column', { severity: 'error', file: 'a.ts', line: 1, message: 'm' }, 'a.ts:1: error: m'],
    ['no place at all', { severity: 'error', message: 'could not link' }, 'error: could not link'],
    ['a failed test', { kind: 'test', status: 'failed', testName: 't::a', file: 't.py', line: 3, message: 'assert 1 == 2', cwd: '/p' }, '/p/t.py:3: failed: t::a: assert 1 == 2'],
    ['a passed test with no file', { kind: 'test', status: 'passed', testName: 'adds' }, 'passed: adds'],
    ['a message that would drive the terminal', { severity: 'error', message: 'a\x1b]0;x\x07b' }, 'error: a\\x1b]0;x\\x07b'],
  ])('%s', (_name, over, line) => {
    expect(quickfixLine({ ...none, ...over })).toBe(line);
  });
});
