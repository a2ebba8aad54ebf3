import { describe, expect, it } from 'vitest';
import { decodeRecordLine, encodeRecord, epochToMicros, parseSpool, recordTimes, type RecordFields } from './record-format.ts';

const base: RecordFields = {
  shell: 'zsh',
  sessionId: 'vm-123-1712345678123456-42',
  pid: 123,
  start: '1712345678.123456',
  end: '1712345678.456789',
  durationMs: null,
  exitCode: 0,
  clientId: null,
  cwd: '/home/u',
  cmd: 'echo hi',
};
const rec = (over: Partial<RecordFields> = {}) => encodeRecord({ ...base, ...over });
const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('parseSpool', () => {
  const cases: { name: string; input: string; cmds: string[]; rejected: number; pending: boolean }[] = [
    { name: 'one record', input: rec(), cmds: ['echo hi'], rejected: 0, pending: false },
    { name: 'two records', input: rec() + rec({ cmd: 'ls' }), cmds: ['echo hi', 'ls'], rejected: 0, pending: false },
    { name: 'an empty file', input: '', cmds: [], rejected: 0, pending: false },
    {
      name: 'a torn record followed by a good one: the torn one is rejected, the good one kept',
      input: rec({ cmd: 'first' }).slice(0, 30) + rec({ cmd: 'second' }),
      cmds: ['second'],
      rejected: 1,
      pending: false,
    },
    {
      name: 'a torn record cut right before its end mark',
      input: rec({ cmd: 'first' }).slice(0, -3) + rec({ cmd: 'second' }),
      cmds: ['second'],
      rejected: 1,
      pending: false,
    },
    { name: 'a record still being written is left pending', input: rec() + rec({ cmd: 'ls' }).slice(0, -1), cmds: ['echo hi'], rejected: 0, pending: true },
    { name: 'only the opening newline written so far', input: rec() + '\n', cmds: ['echo hi'], rejected: 0, pending: false },
    { name: 'zero bytes left by a crash before the next record', input: rec() + '\0\0\0\0' + rec({ cmd: 'ls' }), cmds: ['echo hi', 'ls'], rejected: 1, pending: false },
    { name: 'garbage line', input: '\nhello world\n' + rec(), cmds: ['echo hi'], rejected: 1, pending: false },
    { name: 'a record with an extra field', input: rec().replace('\te\n', '\tx\te\n'), cmds: [], rejected: 1, pending: false },
    { name: 'a NUL escaped by zsh as \\0 is stored as U+2400', input: rec({ cmd: 'a' }).replace('\ta\t', '\ta\\0b\t'), cmds: ['a\u2400b'], rejected: 0, pending: false },
    { name: 'a bad escape', input: rec({ cmd: 'a' }).replace('\ta\t', '\ta\\qb\t'), cmds: [], rejected: 1, pending: false },
    {
      name: 'text with newlines, tabs, backslashes and unicode survives',
      input: rec({ cmd: 'printf "a\\tb\\n" | cat\n\tx\\y ünï 🐦' }),
      cmds: ['printf "a\\tb\\n" | cat\n\tx\\y ünï 🐦'],
      rejected: 0,
      pending: false,
    },
  ];
  it.each(cases)('$name', ({ input, cmds, rejected, pending }) => {
    const parsed = parseSpool(bytes(input));
    expect(parsed.records.map((r) => r.cmd)).toEqual(cmds);
    expect(parsed.rejected).toHaveLength(rejected);
    expect(parsed.pendingBytes > 0).toBe(pending);
  });

  it('resumes from the consumed offset once the pending record is finished', () => {
    const whole = bytes(rec() + rec({ cmd: 'ls' }));
    const first = parseSpool(whole.subarray(0, whole.length - 5));
    expect(first.records.map((r) => r.cmd)).toEqual(['echo hi']);
    const second = parseSpool(whole, first.consumed);
    expect(second.records.map((r) => r.cmd)).toEqual(['ls']);
    expect(second.pendingBytes).toBe(0);
  });

  it('never misreads any prefix of a record as a record', () => {
    const one = rec({ cmd: 'a\tb\\c\nd', cwd: '/x\ty', clientId: 'me@h' });
    for (let cut = 0; cut < one.length - 1; cut++) {
      const parsed = parseSpool(bytes(one.slice(0, cut) + rec({ cmd: 'next' })));
      expect(parsed.records.map((r) => r.cmd)).toEqual(['next']);
    }
  });
});

describe('decodeRecordLine', () => {
  const line = (over: Partial<RecordFields>) => rec(over).slice(1, -1);
  it.each([
    ['unknown shell "tcsh"', line({ shell: 'tcsh' as 'zsh' })],
    ['bad pid', line({ pid: 0 })],
    ['bad start time', line({ start: '12:00' })],
    ['bad exit status', line({ exitCode: 1.5 })],
    ['bad session id', line({ sessionId: 'a/b' })],
  ])('rejects a record with %s', (reason, text) => {
    expect(decodeRecordLine(text)).toEqual({ ok: false, why: reason });
  });
  it.each([
    ['0', 0],
    ['-1', -1],
    ['2147483647', 2147483647],
    ['-2147483648', -2147483648],
    ['2147483648', null],
    ['-2147483649', null],
    ['9999999999', null],
  ])('keeps the record with exit status %s, exit code %s (null outside int32)', (exit, code) => {
    const text = line({}).replace('\t0\t\t/home/u\t', `\t${exit}\t\t/home/u\t`);
    expect(text).toContain(`\t${exit}\t`);
    expect(decodeRecordLine(text)).toMatchObject({ ok: true, record: { cmd: 'echo hi', exitCode: code } });
  });
  it('decodes the client id and keeps a missing one null', () => {
    expect(decodeRecordLine(line({ clientId: 'ci@box' }))).toMatchObject({ ok: true, record: { clientId: 'ci@box' } });
    expect(decodeRecordLine(line({}))).toMatchObject({ ok: true, record: { clientId: null } });
  });
});

describe('times', () => {
  /** The record `text` (a line of rec()'s, newlines and all) holds. */
  const recordOf = (text: string) => {
    const decoded = decodeRecordLine(text.slice(1, -1));
    if (!decoded.ok) throw new Error(decoded.why);
    return decoded.record;
  };

  it.each([
    ['1712345678.123456', 1712345678123456n],
    ['1712345678,5', 1712345678500000n],
    ['1712345678.1234567891', 1712345678123456n],
    ['1712345678', 1712345678000000n],
  ])('%s is %s µs', (text, us) => expect(epochToMicros(text)).toBe(us));

  it('takes both ends from zsh and bash records', () => {
    expect(recordTimes(recordOf(rec()), 0n)).toEqual({ startUs: 1712345678123456n, endUs: 1712345678456789n });
  });
  it('dates a fish record by the file mtime minus CMD_DURATION', () => {
    const fish = recordOf(rec({ shell: 'fish', start: null, end: null, durationMs: 300 }));
    expect(recordTimes(fish, 2_000_000_000n)).toEqual({ startUs: 1_999_700_000n, endUs: 2_000_000_000n });
  });
  it('dates a fish record without a duration (cut off by a hang-up) by the file mtime alone', () => {
    const fish = recordOf(rec({ shell: 'fish', start: null, end: null, durationMs: null, exitCode: 129 }));
    expect(fish).toMatchObject({ exitCode: 129, durationMs: null });
    expect(recordTimes(fish, 2_000_000_000n)).toEqual({ startUs: 2_000_000_000n, endUs: null });
    const held = recordOf(rec({ shell: 'fish', start: null, end: '1700000000.25', durationMs: null }));
    expect(recordTimes(held, 2_000_000_000n)).toEqual({ startUs: 1_700_000_000_250_000n, endUs: null });
  });
  it('dates a held fish record by the end it carries, not by its late file', () => {
    const held = recordOf(rec({ shell: 'fish', start: null, end: '1700000000.5', durationMs: 250 }));
    expect(recordTimes(held, 2_000_000_000n)).toEqual({ startUs: 1_700_000_000_250_000n, endUs: 1_700_000_000_500_000n });
  });
  it('never makes a negative duration when the clock stepped back', () => {
    const r = recordOf(rec({ start: '100.5', end: '100.1' }));
    expect(recordTimes(r, 0n)).toEqual({ startUs: 100_500_000n, endUs: 100_500_000n });
  });
});
