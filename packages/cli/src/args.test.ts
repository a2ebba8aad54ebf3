import { describe, expect, it } from 'vitest';
import { oneOf, parseFlags } from './args.ts';
import { failure } from './testing/expect-failure.ts';

const OPTIONS = { n: { type: 'string', short: 'n' }, format: { type: 'string' }, 'read-only': { type: 'boolean' } } as const;


describe('parseFlags', () => {
  it.each([
    [['-n', '5'], { n: '5' }, []],
    [['-n5'], { n: '5' }, []],
    [['--format=csv', 'q'], { format: 'csv' }, ['q']],
    [['--read-only', 'x'], { 'read-only': true }, ['x']],
    [['--', '--format'], {}, ['--format']],
  ] as const)('%j parses', (args, values, positionals) => {
    const parsed = parseFlags(args, OPTIONS, 'bird x', { min: 0, max: 1 });
    expect({ ...parsed.values }).toEqual(values);
    expect(parsed.positionals).toEqual(positionals);
  });

  it.each([
    [['--bogus'], 'unknown option --bogus; usage: bird x'],
    [['-x'], 'unknown option -x; usage: bird x'],
    [['-n'], '-n needs a value; usage: bird x'],
    [['--format'], '--format needs a value; usage: bird x'],
    [['-n', '-1'], '-n needs a value, and what follows it looks like another option; usage: bird x'],
    [['--format', '--read-only'], '--format needs a value, and what follows it looks like another option; usage: bird x'],
    [['--read-only=yes'], '--read-only does not take a value; usage: bird x'],
    [['a', 'b'], 'unexpected argument "b"; usage: bird x'],
  ])('%j is a usage error', (args, message) => {
    const error = failure(() => parseFlags(args, OPTIONS, 'bird x', { min: 0, max: 1 }));
    expect(error.message).toBe(message);
    expect(error.exitCode).toBe(2);
  });

  it('asks for a missing argument', () => {
    expect(failure(() => parseFlags([], OPTIONS, 'bird x Q', { min: 1, max: 1 })).message).toBe('missing argument; usage: bird x Q');
  });
});

describe('oneOf', () => {
  it('accepts an allowed value and names the choices otherwise', () => {
    expect(oneOf('--format', 'csv', ['table', 'csv', 'json'])).toBe('csv');
    const error = failure(() => oneOf('--format', 'xml', ['table', 'csv', 'json']));
    expect(error.message).toBe('--format must be table, csv or json, not "xml".');
    expect(error.exitCode).toBe(2);
  });
});
