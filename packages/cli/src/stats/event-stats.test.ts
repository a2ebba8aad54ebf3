import { describe, expect, it } from 'vitest';
import { eventStats, type EventFact } from './event-stats.ts';

const error = (invocationId: string, message: string | null, file: string | null, cwd: string | null = '/src'): EventFact => ({ invocationId, kind: 'diagnostic', severity: 'error', status: null, message, file, cwd });
const warning = (invocationId: string, message: string, file: string): EventFact => ({ invocationId, kind: 'diagnostic', severity: 'warning', status: null, message, file, cwd: '/src' });
const test = (invocationId: string, status: string, file: string | null): EventFact => ({ invocationId, kind: 'test', severity: null, status, message: null, file, cwd: '/src' });

describe('eventStats', () => {
  it.each<[string, EventFact[], ReturnType<typeof eventStats>]>([
    ['nothing', [], { topErrors: [], failingFiles: [] }],
    [
      'errors that differ only in a name are one, counted over their commands',
      [error('a', "‘x’ undeclared", 'a.c'), error('a', "‘y’ undeclared", 'a.c'), error('b', "‘z’ undeclared", 'b.c')],
      { topErrors: [{ pattern: '‘…’ undeclared', count: 3, commands: 2 }], failingFiles: [{ file: '/src/a.c', count: 2, commands: 1 }, { file: '/src/b.c', count: 1, commands: 1 }] },
    ],
    [
      'warnings and passed or skipped tests count for nothing',
      [warning('a', 'unused variable', 'a.c'), test('a', 'passed', 't.py'), test('a', 'skipped', 't.py')],
      { topErrors: [], failingFiles: [] },
    ],
    [
      'a failed test counts for its file, not as an error',
      [test('a', 'failed', 'tests/test_a.py'), test('b', 'failed', 'tests/test_a.py'), test('b', 'failed', null)],
      { topErrors: [], failingFiles: [{ file: '/src/tests/test_a.py', count: 2, commands: 2 }] },
    ],
    [
      'an absolute file stays, a relative one without a folder stays relative, the same file from two folders is one',
      [error('a', 'e', '/abs/x.ts'), error('b', 'e', 'x.ts', null), error('c', 'e', 'x.ts', '/abs'), error('d', 'e', '')],
      { topErrors: [{ pattern: 'e', count: 4, commands: 4 }], failingFiles: [{ file: '/abs/x.ts', count: 2, commands: 2 }, { file: 'x.ts', count: 1, commands: 1 }] },
    ],
    [
      'an error without a message counts for its file only; ties go by name',
      [error('a', null, 'b.c'), error('a', 'zeta', 'a.c'), error('a', 'alpha', 'c.c')],
      {
        topErrors: [{ pattern: 'alpha', count: 1, commands: 1 }, { pattern: 'zeta', count: 1, commands: 1 }],
        failingFiles: [{ file: '/src/a.c', count: 1, commands: 1 }, { file: '/src/b.c', count: 1, commands: 1 }, { file: '/src/c.c', count: 1, commands: 1 }],
      },
    ],
  ])('%s', (_, events, expected) => {
    expect(eventStats(events, 10)).toEqual(expected);
  });

  it('keeps the top N of each list', () => {
    const events = ['a', 'b', 'c'].map((name, i) => error(String(i), name, `${name}.c`));
    const { topErrors, failingFiles } = eventStats(events, 2);
    expect([topErrors.map((e) => e.pattern), failingFiles.map((f) => f.file)]).toEqual([['a', 'b'], ['/src/a.c', '/src/b.c']]);
  });
});
