import { describe, expect, it } from 'vitest';
import { sparkline } from './sparkline.ts';

describe('sparkline', () => {
  it.each([
    [[], ''],
    [[0, 0], '  '],
    [[5], '█'],
    [[1, 2, 3, 4, 5, 6, 7, 8], '▁▂▃▄▅▆▇█'],
    [[0, 1, 4, 8], ' ▁▄█'],
    [[1, 100], '▁█'],
    [[3, 3, 0, 3], '██ █'],
  ])('%j is %j', (values, expected) => {
    expect(sparkline(values)).toBe(expected);
  });
});
