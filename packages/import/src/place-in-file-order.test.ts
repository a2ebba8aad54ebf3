import { describe, expect, it } from 'vitest';
import { placeInFileOrder } from './place-in-file-order.ts';

const S = 1_000_000n;
const T = 1_700_000_000n * S;
const LATEST = T + 100n * S;

describe('placeInFileOrder', () => {
  const cases: { name: string; starts: (bigint | null)[]; placed: bigint[] }[] = [
    { name: 'times that rise are kept', starts: [T, T + S, T + 5n * S], placed: [T, T + S, T + 5n * S] },
    { name: 'no times at all: just before the latest, a microsecond apart, in order', starts: [null, null, null], placed: [LATEST - 3n, LATEST - 2n, LATEST - 1n] },
    { name: 'lines before the first time go before it (bash before HISTTIMEFORMAT was set)', starts: [null, null, T], placed: [T - 2n, T - 1n, T] },
    { name: 'a line between two times goes just before the later one (a corrupt fish when)', starts: [T, null, T + 19n * S], placed: [T, T + 19n * S - 1n, T + 19n * S] },
    { name: 'lines after the last time go before the latest', starts: [T, null], placed: [T, LATEST - 1n] },
    { name: 'commands of one second keep the file order', starts: [T, T, T], placed: [T, T + 1n, T + 2n] },
    { name: 'a line with no time between two of one second still sorts between them', starts: [T, null, T], placed: [T, T + 1n, T + 2n] },
    { name: 'a clock that went back more than a second is left as it is', starts: [T + 10n * S, T], placed: [T + 10n * S, T] },
    { name: 'a line with no time before a later time that is earlier goes before that one', starts: [null, T + 10n * S, T], placed: [T - 1n, T + 10n * S, T] },
    { name: 'a time later than the latest still bounds only the lines after it, not before', starts: [null, LATEST + 9n * S], placed: [LATEST - 1n, LATEST + 9n * S] },
    { name: 'nothing in, nothing out', starts: [], placed: [] },
  ];
  it.each(cases)('$name', ({ starts, placed }) => {
    const result = placeInFileOrder(starts, LATEST);
    expect(result).toEqual(placed);
  });
});
