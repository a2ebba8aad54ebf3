import { describe, expect, it } from 'vitest';
import { dayRanges } from './day-ranges.ts';

describe('dayRanges', () => {
  it.each([
    ['no days', [], 10, []],
    ['one small day', [['2025-01-01', 3]], 10, [['2025-01-01', '2025-01-01']]],
    ['days filling one group exactly', [['2025-01-01', 4], ['2025-01-02', 6]], 10, [['2025-01-01', '2025-01-02']]],
    ['a day that would overflow starts the next group', [['2025-01-01', 4], ['2025-01-02', 6], ['2025-01-03', 1]], 10, [['2025-01-01', '2025-01-02'], ['2025-01-03', '2025-01-03']]],
    ['a day bigger than a group is a group alone', [['2025-01-01', 2], ['2025-01-02', 50], ['2025-01-03', 2]], 10, [['2025-01-01', '2025-01-01'], ['2025-01-02', '2025-01-02'], ['2025-01-03', '2025-01-03']]],
    ['gaps between days are covered by the range', [['2025-01-01', 1], ['2025-03-01', 1]], 10, [['2025-01-01', '2025-03-01']]],
  ] as const)('%s', (_name, counts, per, expected) => {
    expect(dayRanges(counts, per)).toEqual(expected);
  });
});
