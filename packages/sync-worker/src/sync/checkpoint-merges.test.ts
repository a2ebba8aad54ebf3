import { describe, expect, it } from 'vitest';
import type { SegmentBatch } from '@bird/remote';
import { mergesToCarry, type MergeNote } from './checkpoint-merges.ts';

const key = (name: string) => `invocations/client=me@here/date=2026-11-27/${name.repeat(32)}.parquet`;
const plain = (name: string): SegmentBatch => ({ key: key(name), table: 'invocations', date: '2026-11-27', rows: 1, bytes: 1 });
const merge = (name: string, replaces: string[], upTo: number): SegmentBatch => ({ ...plain(name), replaces: replaces.map(key), upTo });
const note = (replaces: string[], upTo: number): MergeNote => ({ replaces: replaces.map(key), upTo });
/** Room for exactly `n` replaced keys (each key's JSON plus a comma, and the brackets). */
const room = (n: number) => n * (key('a').length + 3) + 1;

describe('mergesToCarry', () => {
  it.each<[string, SegmentBatch[], string[], number | undefined, Record<string, MergeNote>]>([
    ['a live merged batch keeps its replaces and upTo', [plain('a'), plain('b'), merge('m', ['a', 'b'], 2)], ['m'], undefined, { m: note(['a', 'b'], 2) }],
    ['a plain batch carries nothing', [plain('a')], ['a'], undefined, {}],
    ['a merge no longer live (withdrawn since) is not carried', [merge('m', ['a', 'b'], 2)], ['n'], undefined, {}],
    ['a merge merged again: the last entry that names the key counts', [merge('m', ['a'], 2), merge('m', ['a', 'c'], 5)], ['m'], undefined, { m: note(['a', 'c'], 5) }],
    ['an entry carried by the last checkpoint counts like a merge segment', [merge('m', ['a', 'b'], 2), plain('c')], ['m', 'c'], undefined, { m: note(['a', 'b'], 2) }],
    ['past the budget, the most recent merges first', [merge('m', ['a', 'b'], 2), merge('n', ['c', 'd'], 9)], ['m', 'n'], room(2), { n: note(['c', 'd'], 9) }],
    ['one too large is passed over for a later one that fits', [merge('m', ['a', 'b', 'c'], 9), merge('n', ['d'], 2)], ['m', 'n'], room(2), { n: note(['d'], 2) }],
    ['no budget: every merge listed plainly', [merge('m', ['a'], 2)], ['m'], 0, {}],
  ])('%s', (_, read, live, budget, expected) => {
    const carried = mergesToCarry(read, new Set(live.map(key)), budget);
    expect(Object.fromEntries([...carried].map(([k, v]) => [k.split('/').at(-1)![0], v]))).toEqual(expected);
  });
});
