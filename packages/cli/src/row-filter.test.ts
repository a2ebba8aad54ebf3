import { describe, expect, it } from 'vitest';
import { EMPTY_INDEX } from '@bird/history-index';
import { hostSourceFilter, isUnder, rowMatcher, type RowFilter } from './row-filter.ts';
import { INDEX, us } from './stats/known-week.ts';

/** The rows (1-based, as numbered in known-week.ts) that `filter` keeps. */
function kept(filter: RowFilter): number[] {
  const { first, matches } = rowMatcher(INDEX, filter);
  const rows: number[] = [];
  for (let r = first; r < INDEX.size; r++) if (matches(r)) rows.push(r + 1);
  return rows;
}

describe('rowMatcher', () => {
  it.each<[string, RowFilter, number[]]>([
    ['everything', {}, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]],
    ['one host', { host: 'server' }, [5, 8, 12]],
    ['one source', { source: 'work' }, [7, 8, 12]],
    ['local rows', { source: 'local' }, [1, 2, 3, 4, 5, 6, 9, 10, 11]],
    ['a host and a source', { host: 'laptop', source: 'work' }, [7]],
    ['an unknown host', { host: 'nowhere' }, []],
    ['an unknown source', { source: 'nowhere' }, []],
    ['a directory and those under it', { dir: '/home/ana/bird' }, [1, 2, 3, 4, 9, 10]],
    ['a start', { sinceUs: us('2024-05-08T13:30:00Z') }, [9, 10, 11, 12]],
    ['a start on a source', { sinceUs: us('2024-05-08T13:30:00Z'), source: 'work' }, [12]],
  ])('keeps %s', (_, filter, rows) => {
    expect(kept(filter)).toEqual(rows);
  });

  it('starts past the end when a host or source is not in the index', () => {
    expect(rowMatcher(INDEX, { source: 'nowhere' }).first).toBe(INDEX.size);
    expect(rowMatcher(EMPTY_INDEX, { host: 'x' }).first).toBe(0);
  });
});

describe('hostSourceFilter', () => {
  it.each([
    [{}, {}],
    [{ host: 'laptop' }, { host: 'laptop' }],
    [{ source: 'team', host: undefined }, { source: 'team' }],
    [{ host: 'h', source: 'local', format: 'json' }, { host: 'h', source: 'local' }],
  ])('%j → %j', (values, filter) => {
    expect(hostSourceFilter(values)).toEqual(filter);
  });
});

describe('isUnder', () => {
  it.each([
    ['/a/b', '/a/b', true],
    ['/a/b/c', '/a/b', true],
    ['/a/bc', '/a/b', false],
    ['/a', '/a/b', false],
    ['/a/b', '/a/b/', true],
    ['/a/b', '/', true],
    ['relative', '/', false],
  ])('%j under %j: %j', (path, dir, under) => {
    expect(isUnder(path, dir)).toBe(under);
  });
});
