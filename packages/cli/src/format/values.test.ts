import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNumericType, plainText, readableTimestamp, tableText, toJson } from './values.ts';

const savedTz = process.env.TZ;
beforeAll(() => {
  process.env.TZ = 'Europe/Berlin';
});
afterAll(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

describe('readableTimestamp (TZ=Europe/Berlin)', () => {
  it.each([
    ['2025-03-01T12:34:56.789012Z', '2025-03-01 13:34:56.789012'],
    ['2025-07-01T12:00:00Z', '2025-07-01 14:00:00'],
    ['2025-07-01T12:00:00.000000Z', '2025-07-01 14:00:00'],
    ['2025-07-01T12:00:00.000100Z', '2025-07-01 14:00:00.000100'],
    ['2025-03-01 12:34:56+00', '2025-03-01 13:34:56'],
    ['2025-03-01T12:34:56-05:30', '2025-03-01 19:04:56'],
    ['2025-12-31T23:30:00.5Z', '2026-01-01 00:30:00.5'],
    ['2025-03-01T12:34:56.123', '2025-03-01 12:34:56.123'],
    ['infinity', 'infinity'],
    ['not a time', 'not a time'],
  ])('%j → %j', (input, expected) => {
    expect(readableTimestamp(input)).toBe(expected);
  });

  it('drops the fraction when asked', () => {
    expect(readableTimestamp('2025-03-01T12:34:56.789012Z', { fraction: false })).toBe('2025-03-01 13:34:56');
  });
});

describe('isNumericType', () => {
  it.each([
    ['BIGINT', true],
    ['INTEGER', true],
    ['DOUBLE', true],
    ['DECIMAL(18,3)', true],
    ['UBIGINT', true],
    ['VARCHAR', false],
    ['TIMESTAMP WITH TIME ZONE', false],
    ['INTEGER[]', false],
    ['BOOLEAN', false],
  ])('%s → %s', (type, expected) => {
    expect(isNumericType(type)).toBe(expected);
  });
});

describe('plainText and tableText', () => {
  it.each([
    [null, 'VARCHAR', null, 'NULL'],
    [undefined, 'VARCHAR', null, 'NULL'],
    ['', 'VARCHAR', '', ''],
    [42, 'INTEGER', '42', '42'],
    [12345678901234567890n, 'UBIGINT', '12345678901234567890', '12345678901234567890'],
    [true, 'BOOLEAN', 'true', 'true'],
    [[1, 2], 'INTEGER[]', '[1,2]', '[1,2]'],
    [{ a: 'x' }, 'STRUCT(a VARCHAR)', '{"a":"x"}', '{"a":"x"}'],
    ['2025-03-01T12:34:56Z', 'TIMESTAMP WITH TIME ZONE', '2025-03-01T12:34:56Z', '2025-03-01 13:34:56'],
    ['2025-03-01T12:34:56Z', 'TIMESTAMP', '2025-03-01T12:34:56Z', '2025-03-01 12:34:56'],
  ])('%s (%s)', (value, type, plain, table) => {
    expect(plainText(value)).toBe(plain);
    expect(tableText(value, type)).toBe(table);
  });
});

describe('toJson', () => {
  it('writes safe bigints as numbers and others as strings', () => {
    expect(toJson({ a: 5n, b: 2n ** 70n })).toBe('{"a":5,"b":"1180591620717411303424"}');
  });
});
