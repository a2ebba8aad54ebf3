import { describe, expect, it } from 'vitest';
import { utcDateOfMicros } from './paths.ts';

const viaDate = (us: bigint) => new Date(Number(us / 1000n) - (us % 1000n < 0n ? 1 : 0)).toISOString().slice(0, 10);

describe('utcDateOfMicros', () => {
  it.each([
    [0n, '1970-01-01'],
    [86_399_999_999n, '1970-01-01'],
    [86_400_000_000n, '1970-01-02'],
    [-1n, '1969-12-31'],
    [951_782_400_000_000n, '2000-02-29'], // a leap day of a year divisible by 400
    [1_709_164_800_000_000n, '2024-02-29'],
    [1_740_787_200_000_000n - 1n, '2025-02-28'],
    [253_402_300_799_999_999n, '9999-12-31'], // the largest --start-us bird-capture takes
  ])('%s µs is %s', (us, date) => {
    expect(utcDateOfMicros(us)).toBe(date);
  });

  it('agrees with Date on every day from 1900 to 2200, at its first and last microsecond', () => {
    const day = 86_400_000_000n;
    for (let d = -25_567n; d < 84_000n; d++) {
      for (const us of [d * day, d * day + day - 1n]) expect(utcDateOfMicros(us)).toBe(viaDate(us));
    }
  });
});
