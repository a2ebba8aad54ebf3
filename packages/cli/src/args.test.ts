import { describe, expect, it } from 'vitest';
import type { CommandSpec } from '@bird/core';
import { parseCommand, usageOf } from './args.ts';
import { failure } from './testing/expect-failure.ts';

const SPEC = {
  name: 'x',
  about: 'a command for the tests',
  operand: { type: 'text', value: 'Q' },
  flags: [
    { name: 'limit', short: 'n', usageShort: true, type: 'number', value: 'N', min: 1, help: 'how many' },
    { name: 'format', short: 'f', type: 'enum', values: ['table', 'csv', 'json'], help: 'how to print' },
    { name: 'read-only', type: 'boolean', help: 'never write' },
    { name: 'reverse', short: 'r', type: 'boolean', help: 'oldest first' },
    { name: 'attach', type: 'string', value: 'NAME', repeatable: true, help: 'also this one' },
    { name: 'secret', type: 'string', value: 'S', hidden: true, help: 'for bird itself' },
  ],
} as const satisfies CommandSpec;
const USAGE = 'bird x [Q] [-n N] [--format table|csv|json] [--read-only] [--reverse] [--attach NAME]';

describe('usageOf', () => {
  it.each([
    [SPEC, USAGE],
    [{ name: 'doctor', about: '', flags: [{ name: 'json', type: 'boolean', help: '' }] }, 'bird doctor [--json]'],
    [{ name: 'hook', about: '', operand: { type: 'enum', values: ['zsh', 'bash'], label: 'the shell', required: true }, flags: [] }, 'bird hook zsh|bash'],
    [
      {
        name: 'remote add',
        about: '',
        operand: { type: 'text', value: 'NAME', required: true },
        flags: [
          { name: 'type', type: 'enum', values: ['file', 's3'], required: true, help: '' },
          { name: 'read-only', type: 'boolean', help: '' },
        ],
      },
      'bird remote add NAME --type file|s3 [--read-only]',
    ],
    [
      {
        name: 'sql',
        about: '',
        operand: { type: 'text', value: '"QUERY"', orFlag: 'file' },
        remark: '(or standard input)',
        flags: [
          { name: 'file', type: 'string', value: 'FILE', help: '' },
          { name: 'format', short: 'f', type: 'enum', values: ['table', 'csv'], help: '' },
        ],
      },
      'bird sql ["QUERY" | --file FILE] [--format table|csv]  (or standard input)',
    ],
  ] as const)('%#: %j', (spec, usage) => {
    expect(usageOf(spec)).toBe(usage);
  });
});

describe('parseCommand', () => {
  it.each([
    [['-n', '5'], { limit: 5 }, []],
    [['-n5'], { limit: 5 }, []],
    [['--limit=5', 'q'], { limit: 5 }, ['q']],
    [['--format=csv', 'q'], { format: 'csv' }, ['q']],
    [['-f', 'json'], { format: 'json' }, []],
    [['--read-only', 'x'], { 'read-only': true }, ['x']],
    [['-rn', '3'], { reverse: true, limit: 3 }, []],
    [['-n', '2', '-n', '7'], { limit: 7 }, []],
    [['--attach', 'a', '--attach=b'], { attach: ['a', 'b'] }, []],
    [['--secret', 's'], { secret: 's' }, []],
    [['--', '--format'], {}, ['--format']],
    [['-'], {}, ['-']],
  ] as const)('%j parses', (args, values, operands) => {
    const parsed = parseCommand(SPEC, args);
    expect({ ...parsed.values }).toEqual(values);
    expect(parsed.operands).toEqual(operands);
  });

  it.each([
    [['--bogus'], 'unknown option --bogus'],
    [['--bogus=1'], 'unknown option --bogus'],
    [['-x'], 'unknown option -x'],
    [['-rx'], 'unknown option -x'],
    [['-n'], '-n needs a value'],
    [['--limit'], '--limit (-n) needs a value'],
    [['--format'], '--format needs a value'],
    [['-f'], '-f (--format) needs a value'],
    [['-n', '-1'], '-n needs a value, and what follows it looks like another option (for a value that starts with "-", write --limit=VALUE)'],
    [['--format', '--read-only'], '--format needs a value, and what follows it looks like another option (for a value that starts with "-", write --format=VALUE)'],
    [['--read-only=yes'], '--read-only does not take a value'],
    [['-n', 'x'], '-n must be a whole number of at least 1, not "x"'],
    [['--limit', '0'], '--limit (-n) must be a whole number of at least 1, not "0"'],
    [['-n', '1.5'], '-n must be a whole number of at least 1, not "1.5"'],
    [['-n', '99999999999999999999'], '-n must be a whole number of at least 1, not "99999999999999999999"'],
    [['--format', 'xml'], '--format must be table, csv or json, not "xml"'],
    [['-f', 'xml'], '-f (--format) must be table, csv or json, not "xml"'],
    [['a', 'b'], 'unexpected argument "b"'],
  ])('%j is a usage error naming the flag as typed, with the usage line', (args, message) => {
    const error = failure(() => parseCommand(SPEC, args));
    expect(error.message).toBe(`${message}; usage: ${USAGE}`);
    expect(error.exitCode).toBe(2);
  });

  const STRICT = {
    name: 'y',
    about: 'another',
    operand: { type: 'text', value: 'NAME', required: true },
    flags: [{ name: 'uri', type: 'string', value: 'URI', required: true, help: 'where' }],
  } as const satisfies CommandSpec;

  it('asks for a missing operand, then a missing required flag', () => {
    expect(failure(() => parseCommand(STRICT, [])).message).toBe('missing argument; usage: bird y NAME --uri URI');
    expect(failure(() => parseCommand(STRICT, ['team'])).message).toBe('missing --uri URI; usage: bird y NAME --uri URI');
    expect(parseCommand(STRICT, ['team', '--uri', '/srv']).values.uri).toBe('/srv');
  });

  it('names the choices of an operand that must be one of them', () => {
    const spec = { name: 'hook', about: '', operand: { type: 'enum', values: ['zsh', 'bash'], label: 'the shell', required: true }, flags: [] } as const satisfies CommandSpec;
    expect(parseCommand(spec, ['bash']).operands).toEqual(['bash']);
    const error = failure(() => parseCommand(spec, ['csh']));
    expect(error.message).toBe('the shell must be zsh or bash, not "csh".');
    expect(error.exitCode).toBe(2);
  });

  it('refuses an operand together with the flag given instead of it', () => {
    const spec = {
      name: 'sql',
      about: '',
      operand: { type: 'text', value: '"QUERY"', label: 'the query', orFlag: 'file' },
      flags: [{ name: 'file', type: 'string', value: 'FILE', help: '' }],
    } as const satisfies CommandSpec;
    expect(failure(() => parseCommand(spec, ['SELECT 1', '--file', 'q.sql'])).message).toBe('give the query or --file, not both; usage: bird sql ["QUERY" | --file FILE]');
  });
});
