import { describe, expect, it } from 'vitest';
import { commandCondition, takeNewest } from './events-selection.ts';

describe('takeNewest', () => {
  it.each<[string[], { args: string[]; newest?: number }]>([
    [['-3'], { args: [], newest: 3 }],
    [['--severity', 'error', '-1'], { args: ['--severity', 'error'], newest: 1 }],
    [['abc'], { args: ['abc'] }],
    [['-0'], { args: ['-0'] }],
    [['-n'], { args: ['-n'] }],
    [['--', '-3'], { args: ['--', '-3'] }],
  ])('%j', (args, taken) => {
    expect(takeNewest(args)).toEqual(taken);
  });
});

describe('commandCondition', () => {
  it.each<[Parameters<typeof commandCondition>[0], RegExp]>([
    [{}, /^true$/],
    [{ id: "it's" }, /^i\.id = 'it''s'$/],
    [{ newest: 2 }, /LIMIT 2\)$/],
    [{ id: 'x', sinceUs: 1.5e15 }, /^i\.id = 'x' AND i\."timestamp" >= make_timestamptz\(1500000000000000::BIGINT\)$/],
  ])('%j', (selection, sql) => {
    expect(commandCondition(selection)).toMatch(sql);
  });
});
