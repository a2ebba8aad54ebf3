import { describe, expect, it } from 'vitest';
import type { CapturedCommand } from './modes/storage-mode.ts';
import { event, invocation, session } from './testing/fixtures.ts';
import { parsePending, pendingText } from './run-pending.ts';

describe('parsePending reads back what a run wrote, and nothing else', () => {
  const inv = invocation({ id: 'cmd-1' });
  const command: CapturedCommand = {
    invocation: inv,
    session: session(),
    outputs: [{ id: 'o-1', invocation_id: 'cmd-1', stream: 'stdout', content_hash: 'h', byte_length: 3, storage_type: 'inline', storage_ref: 'out', date: inv.date }],
    events: [event({ id: 'e-1', invocation_id: 'cmd-1', date: inv.date })],
  };

  it('round-trips a record, timestamps as bigints', () => {
    expect(parsePending(pendingText(command))).toEqual(command);
  });

  it('reads a record from before events as one with none', () => {
    const { events: _events, ...before } = command;
    expect(parsePending(pendingText(before))).toEqual({ ...before, events: [] });
  });

  it.each([
    ['an event of another command', pendingText({ ...command, events: [{ ...command.events![0], invocation_id: 'other' }] } as unknown as CapturedCommand)],
    ['cut short', pendingText(command).slice(0, 40)],
    ['not an object', '[]'],
    ['a timestamp that is not one', pendingText({ ...command, invocation: { ...command.invocation, timestamp: 'soon' } } as unknown as CapturedCommand)],
    ['an output of another command', pendingText({ ...command, outputs: [{ ...command.outputs![0], invocation_id: 'other' }] } as unknown as CapturedCommand)],
    ['no outputs list', pendingText({ invocation: command.invocation, session: command.session } as unknown as CapturedCommand)],
  ])('refuses one %s', (_name, text) => {
    expect(parsePending(text)).toBeNull();
  });
});
