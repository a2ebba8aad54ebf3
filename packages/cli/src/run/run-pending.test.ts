import { describe, expect, it } from 'vitest';
import type { CapturedCommand } from '@bird/store/append';
import { invocation, session } from '../../../store/src/testing/fixtures.ts';
import { parsePending } from './run-pending.ts';

const toJson = (_k: string, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v);

describe('parsePending reads back what a run wrote, and nothing else', () => {
  const inv = invocation({ id: 'cmd-1' });
  const command: CapturedCommand = {
    invocation: inv,
    session: session(),
    outputs: [{ id: 'o-1', invocation_id: 'cmd-1', stream: 'stdout', content_hash: 'h', byte_length: 3, storage_type: 'inline', storage_ref: 'out', date: inv.date }],
  };

  it('round-trips a record, timestamps as bigints', () => {
    expect(parsePending(JSON.stringify(command, toJson))).toEqual(command);
  });

  it.each([
    ['cut short', JSON.stringify(command, toJson).slice(0, 40)],
    ['not an object', '[]'],
    ['a timestamp that is not one', JSON.stringify({ ...command, invocation: { ...command.invocation, timestamp: 'soon' } }, toJson)],
    ['an output of another command', JSON.stringify({ ...command, outputs: [{ ...command.outputs![0], invocation_id: 'other' }] }, toJson)],
    ['no outputs list', JSON.stringify({ invocation: command.invocation, session: command.session }, toJson)],
  ])('refuses one %s', (_name, text) => {
    expect(parsePending(text)).toBeNull();
  });
});
