import { describe, expect, it } from 'vitest';
import { bar } from './bar.ts';

describe('bar', () => {
  it.each([
    [0, 10, 10, ''],
    [10, 10, 10, '██████████'],
    [5, 10, 10, '█████'],
    [1, 16, 2, '▏'],
    [3, 8, 4, '█▌'],
    [7, 8, 1, '▉'],
    [1, 1000, 10, '▏'], // rounds to nothing, shown as the thinnest bar
    [20, 10, 4, '████'], // never longer than the cells
    [5, 0, 10, ''],
    [5, 10, 0, ''],
    [Number.NaN, 10, 10, ''],
  ])('bar(%d, %d, %d) is %j', (value, max, cells, expected) => {
    expect(bar(value, max, cells)).toBe(expected);
  });
});
