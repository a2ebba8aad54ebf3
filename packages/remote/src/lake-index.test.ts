import { describe, expect, it } from 'vitest';
import { parseHead, parseSegment } from './lake-index.ts';

const me = 'me@here';
const key = (name: string, client = me) => `invocations/client=${client}/date=2026-11-27/${name.repeat(32)}.parquet`;
const entry = (over: Record<string, unknown>) => ({ key: key('m'), table: 'invocations', date: '2026-11-27', rows: 2, bytes: 9, ...over });
const segment = (batches: unknown[], over: Record<string, unknown> = {}) => parseSegment({ version: 1, client: me, seq: 7, batches, ...over }, 'seg', { client: me, seq: 7 });

describe('parseSegment: merged batches and checkpoints', () => {
  it.each<[string, unknown[], Record<string, unknown>, Record<string, unknown>, number]>([
    ['a merge of own batches stands', [entry({ replaces: [key('a'), key('b')], upTo: 5 })], {}, { replaces: [key('a'), key('b')], upTo: 5 }, 0],
    ["another series' batch in replaces: both fields left out, named once", [entry({ replaces: [key('a'), key('x', 'you@there'), 42], upTo: 5 })], {}, {}, 1],
    ['replaces that is not a list', [entry({ replaces: 'all', upTo: 5 })], {}, {}, 1],
    ['an upTo that is not a segment number', [entry({ replaces: [key('a')], upTo: -1 })], {}, {}, 1],
    ['seq counts in a checkpoint', [entry({ seq: 3 })], { checkpoint: true }, { seq: 3 }, 0],
    ['seq past the checkpoint itself is left out', [entry({ seq: 9 })], { checkpoint: true }, {}, 0],
    ['seq outside a checkpoint means nothing', [entry({ seq: 3 })], {}, {}, 0],
    ['a checkpoint carries a merge as a merge segment does', [entry({ replaces: [key('a')], upTo: 4, seq: 6 })], { checkpoint: true }, { replaces: [key('a')], upTo: 4, seq: 6 }, 0],
    ["a checkpoint's replaces naming another series: left out and named, its seq stands", [entry({ replaces: [key('x', 'you@there')], upTo: 4, seq: 6 })], { checkpoint: true }, { seq: 6 }, 1],
    ["a checkpoint's upTo that is not a segment number: left out and named", [entry({ replaces: [key('a')], upTo: 'soon', seq: 6 })], { checkpoint: true }, { seq: 6 }, 1],
  ])('%s', (_, batches, over, fields, rejected) => {
    const read = segment(batches, over);
    const { key: _k, table: _t, date: _d, rows: _r, bytes: _b, ...rest } = read.batches[0]!;
    expect(rest).toEqual(fields);
    expect(read.rejected).toHaveLength(rejected);
  });

  it('a head names a checkpoint only at or before its own seq', () => {
    expect(parseHead({ client: me, seq: 70, checkpoint: 65 }, 'h', me).checkpoint).toBe(65);
    expect(parseHead({ client: me, seq: 70, checkpoint: 71 }, 'h', me).checkpoint).toBeUndefined();
    expect(parseHead({ client: me, seq: 70, checkpoint: 'soon' }, 'h', me).checkpoint).toBeUndefined();
  });
});
