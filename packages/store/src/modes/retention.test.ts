import { describe, expect, it } from 'vitest';
import { retentionCutoff } from './retention.ts';

describe('retentionCutoff', () => {
  it.each<[string, string, number, string]>([
    ['whole UTC days back from the start of today', '2026-12-07T15:30:00.000Z', 30, '2026-11-07T00:00:00.000Z'],
    ['the same all day long: it moves once a day', '2026-12-07T00:00:00.000Z', 30, '2026-11-07T00:00:00.000Z'],
    ['the same at the last instant of the day', '2026-12-07T23:59:59.999Z', 30, '2026-11-07T00:00:00.000Z'],
    ['one day', '2026-03-01T12:00:00.000Z', 1, '2026-02-28T00:00:00.000Z'],
    ['across a leap day', '2024-03-01T12:00:00.000Z', 1, '2024-02-29T00:00:00.000Z'],
  ])('%s', (_, now, days, cutoff) => {
    expect(retentionCutoff(Date.parse(now), days)).toBe(cutoff);
  });
});
