import { describe, expect, it } from 'vitest';
import type { SegmentBatch } from '@bird/remote';
import { planIndexRepair, type FoundSegment } from './plan-repair.ts';

const b = (name: string): SegmentBatch => ({ key: `invocations/client=me/date=2024-06-01/${name}.parquet`, table: 'invocations', date: '2024-06-01', rows: 1, bytes: 1 });
const seg = (seq: number, ...names: string[]): FoundSegment => ({ seq, batches: names.map(b) });
const lost = (seq: number): FoundSegment => ({ seq, batches: null });
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
    const plan = planIndexRepair(found, listed.map(b));
    expect(names(plan)).toEqual(rewrite);
    expect(plan.headSeq).toBe(headSeq);
    expect(plan.orphans).toBe(orphans);
  });
});
