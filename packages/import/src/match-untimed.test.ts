import { describe, expect, it } from 'vitest';
import { matchUntimedToCaptured, type CapturedRow } from './match-untimed.ts';

/** `cmd@second/session`: a row the hook stored. */
const row = (spec: string): CapturedRow => {
  const [, cmd, second, sessionId] = /^(.*)@(\d+)\/(\w+)$/.exec(spec)!;
  return { cmd: cmd!, startUs: BigInt(second!) * 1_000_000n, sessionId: sessionId! };
};

describe('matchUntimedToCaptured', () => {
  const cases: { name: string; file: (string | null)[]; captured: string[]; matched: number[] }[] = [
    {
      name: 'every line the hook stored, typed once each, is its row (the issue: 15 typed, history -a, bird import)',
      file: ['echo one', 'ls', 'echo two', 'ls', 'make'],
      captured: ['echo one@1/a', 'ls@2/a', 'echo two@3/a', 'ls@4/a', 'make@5/a'],
      matched: [0, 1, 2, 3, 4],
    },
    {
      name: 'older history before the hook came is not matched, even where its text repeats',
      file: ['ls', 'cd /srv', 'ls', 'make'],
      captured: ['ls@10/a', 'make@11/a'],
      matched: [-1, -1, 0, 1],
    },
    {
      name: 'two shells open at once land in the file one after the other (written at exit): both match',
      file: ['b1', 'b2', 'a1', 'a2'],
      captured: ['a1@1/a', 'b1@2/b', 'a2@3/a', 'b2@4/b'],
      matched: [1, 3, 0, 2],
    },
    {
      name: 'a line typed where the hook did not run is imported; the lines around it still match',
      file: ['x', 'ls', 'typed-without-hook', 'make'],
      captured: ['ls@1/a', 'make@2/a'],
      matched: [-1, 0, -1, 1],
    },
    {
      name: 'a session\'s rows are taken in its own order: a row newer than one already taken from its session is not taken',
      file: ['ls', 'make'],
      captured: ['make@1/a', 'ls@2/a'],
      matched: [-1, 0],
    },
    {
      name: 'each row is taken once: the last lines of a text take its rows, the earlier ones are older history',
      file: ['ls', 'ls', 'ls'],
      captured: ['ls@7/a'],
      matched: [-1, -1, 0],
    },
    {
      name: 'of several rows the newest goes to the last line',
      file: ['ls', 'ls'],
      captured: ['ls@9/b', 'ls@3/a'],
      matched: [1, 0],
    },
    {
      name: 'lines that take no part (timed, private, imported before) are passed over',
      file: [null, 'ls', null],
      captured: ['ls@1/a'],
      matched: [-1, 0, -1],
    },
    {
      name: 'nothing stored: nothing matches',
      file: ['ls', 'make'],
      captured: [],
      matched: [-1, -1],
    },
    {
      name: 'what it cannot tell: a row whose line is not in the file yet (its shell still open) takes an older line of its text',
      file: ['make', 'ls'],
      captured: ['ls@5/a', 'make@9/b'],
      matched: [1, 0],
    },
  ];
  it.each(cases)('$name', ({ file, captured, matched }) => {
    expect(matchUntimedToCaptured(file, captured.map(row))).toEqual(matched);
  });
});
