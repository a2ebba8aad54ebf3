import { describe, expect, it } from 'vitest';
import type { SegmentBatch } from '@bird/remote';
import { planIndexRepair, type FoundSegment } from './plan-repair.ts';

const b = (name: string): SegmentBatch => ({ key: `invocations/client=me/date=2024-06-01/${name}.parquet`, table: 'invocations', date: '2024-06-01', rows: 1, bytes: 1 });
const seg = (seq: number, ...names: string[]): FoundSegment => ({ seq, segment: { version: 1, client: 'me', seq, token: 'ab'.repeat(8), batches: names.map(b) } });
const lost = (seq: number): FoundSegment => ({ seq, segment: null });
const names = (plan: ReturnType<typeof planIndexRepair>) => plan.rewrite.map((r) => [r.seq, r.batches.map((x) => /([^/]+)\.parquet$/.exec(x.key)![1])]);

describe('planIndexRepair', () => {
  it.each<[string, FoundSegment[], string[], unknown[], number, number]>([
    ['an intact index: nothing to write', [seg(1, 'a'), seg(2, 'b')], ['a', 'b'], [], 2, 0],
    ['a segment lost: written again, empty, in its place; its batch goes last', [seg(1, 'a'), lost(2), seg(3, 'c')], ['a', 'b', 'c'], [[2, []], [4, ['b']]], 4, 1],
    ['a hole in the numbers is filled', [seg(1, 'a'), seg(3, 'c')], ['a', 'b', 'c'], [[2, []], [4, ['b']]], 4, 1],
    ['a segment naming a batch that is gone keeps the rest', [seg(1, 'a', 'x'), seg(2, 'b')], ['a', 'b'], [[1, ['a']]], 2, 0],
    ['a batch no segment names (an overwritten push) gets a segment of its own', [seg(1, 'a')], ['a', 'z'], [[2, ['z']]], 2, 1],
    ['no log at all: one segment for every batch', [], ['a', 'b'], [[1, ['a', 'b']]], 1, 2],
    ['nothing anywhere', [], [], [], 0, 0],
    ['a segment number far out of reach is not a segment bird wrote', [seg(1, 'a'), seg(1e12, 'q')], ['a', 'q'], [[2, ['q']]], 2, 1],
  ])('%s', (_, found, listed, rewrite, headSeq, orphans) => {
    const plan = planIndexRepair('me', found, listed.map(b));
    expect(names(plan)).toEqual(rewrite);
    expect(plan.headSeq).toBe(headSeq);
    expect(plan.orphans).toBe(orphans);
  });
});

describe('planIndexRepair: what repair does not own passes through', () => {
  const merged: SegmentBatch = { ...b('m'), replaces: [b('a').key, b('b').key], upTo: 2 };
  const checkpoint = (seq: number, ...batches: SegmentBatch[]): FoundSegment => ({
    seq,
    segment: { version: 1, client: 'me', seq, token: 'cd'.repeat(8), batches: batches.map((x, i) => ({ ...x, seq: i + 1 })), forgotten: ['01J0000000000000000000000A'], forgottenBefore: '2024-06-01T00:00:00.000Z', checkpoint: true },
  });
  const mergeSegment = (seq: number, ...extra: SegmentBatch[]): FoundSegment => ({
    seq,
    segment: { version: 1, client: 'me', seq, token: 'ef'.repeat(8), batches: [merged, ...extra], withdrawn: [b('a').key, b('b').key] },
  });

  it('a merge segment naming a batch that is gone keeps its merged batch, withdrawals and all', () => {
    const plan = planIndexRepair('me', [seg(1, 'a'), seg(2, 'b'), mergeSegment(3, b('x'))], [b('a'), b('b'), b('m')]);
    expect(plan.rewrite).toEqual([{ version: 1, client: 'me', seq: 3, batches: [merged], withdrawn: [b('a').key, b('b').key] }]);
    expect(plan).toMatchObject({ headSeq: 3, orphans: 0 });
    expect(plan.checkpoint).toBeUndefined();
  });

  it('a replaced batch still in the lake (a merge killed before it deleted) is no orphan', () => {
    expect(planIndexRepair('me', [mergeSegment(1)], [b('a'), b('m')])).toMatchObject({ rewrite: [], headSeq: 1, orphans: 0 });
  });

  it('segments before the last checkpoint are gone by design: no holes to fill, and the head names the checkpoint', () => {
    const plan = planIndexRepair('me', [checkpoint(65, merged, b('c')), seg(66, 'd')], [b('m'), b('c'), b('d')]);
    expect(plan).toEqual({ rewrite: [], headSeq: 66, checkpoint: 65, orphans: 0 });
  });

  it('a checkpoint naming a batch that is gone stays a checkpoint, with every live batch it named and its tombstones', () => {
    const plan = planIndexRepair('me', [checkpoint(65, merged, b('c'), b('x')), seg(66, 'd')], [b('m'), b('c'), b('d')]);
    const { token: _t, ...kept } = checkpoint(65, merged, b('c')).segment!;
    expect(plan).toEqual({ rewrite: [kept], headSeq: 66, checkpoint: 65, orphans: 0 });
  });

  it('a segment after the checkpoint lost: rewritten in place, its batch goes last, the checkpoint still named', () => {
    const plan = planIndexRepair('me', [checkpoint(65, merged), lost(66), seg(67, 'e')], [b('m'), b('d'), b('e')]);
    expect(names(plan)).toEqual([[66, []], [68, ['d']]]);
    expect(plan).toMatchObject({ headSeq: 68, checkpoint: 65, orphans: 1 });
  });
});
