import { describe, expect, it } from 'vitest';
import { ago, formatDuration } from './time-text.ts';

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [7, '7ms'],
    [999, '999ms'],
    [1000, '1.0s'],
    [1250, '1.2s'],
    [59_999, '59.9s'],
    [60_000, '1m00s'],
    [184_000, '3m04s'],
    [3_599_999, '59m59s'],
    [3_600_000, '1h00m'],
    [7_380_000, '2h03m'],
    [-5, '-5'],
  ])('%i ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('ago', () => {
  it.each([
    [0, '0s'], [59_999, '59s'], [60_000, '1m'], [3_599_999, '59m'], [3_600_000, '1h'], [86_400_000, '1d'], [7 * 86_400_000, '1w'], [400 * 86_400_000, '1y'], [-5, '0s'],
  ])('%i ms → %s', (ms, text) => {
    expect(ago(ms)).toBe(text);
  });
});
