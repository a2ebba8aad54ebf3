import { describe, expect, it } from 'vitest';
import { planSeriesPush, type HeadState, type LocalSeries, type SeriesPushInput, type SeriesPushPlan } from './plan-push.ts';

const mine = (seq: number, token = `t${seq}mine0`, verified = true): LocalSeries => ({ seq, token, verified });
const head = (seq: number, token: string | null = `t${seq}mine0`): HeadState => ({ kind: 'present', seq, token });
const missing: HeadState = { kind: 'missing' };
const damaged: HeadState = { kind: 'damaged' };
const staged = (seq: number, token = `t${seq}mine0`) => ({ seq, token });
const push = (over: Partial<Extract<SeriesPushPlan, { kind: 'push' }>>): SeriesPushPlan => ({ kind: 'push', commitOnly: null, verify: null, upload: null, discard: [], nextSeq: 1, ...over });

describe('planSeriesPush', () => {
  it.each<[string, SeriesPushInput, SeriesPushPlan]>([
    ['a series nobody wrote yet', { local: null, head: missing, staged: [] }, push({ nextSeq: 1 })],
    ['a first push staged, then killed before any upload', { local: null, head: missing, staged: [staged(1)] }, push({ upload: 1, nextSeq: 1 })],
    ['in step with the lake, last push verified', { local: mine(4), head: head(4), staged: [] }, push({ nextSeq: 5 })],
    ['in step, the last push not yet read back', { local: mine(4, 't4mine0', false), head: head(4), staged: [] }, push({ verify: 4, nextSeq: 5 })],
    ['a staged push never uploaded (killed before its head)', { local: mine(4), head: head(4), staged: [staged(5)] }, push({ upload: 5, nextSeq: 5 })],
    ['a staged push the lake has (killed before the local commit)', { local: mine(4), head: head(5, 't5mine0'), staged: [staged(5)] }, push({ commitOnly: 5, nextSeq: 6 })],
    ['... and the push before it still unverified', { local: mine(4, 't4mine0', false), head: head(5, 't5mine0'), staged: [staged(5)] }, push({ commitOnly: 5, verify: 4, nextSeq: 6 })],
    ['a staged push left behind by a commit that did happen', { local: mine(5), head: head(5), staged: [staged(5, 't5other')] }, push({ discard: [5], nextSeq: 6 })],
    ['no record here, the lake has the series: read it back, adopt it only if every row is ours', { local: null, head: head(3), staged: [] }, { kind: 'rebuild', reason: 'no-record', rewriteIndex: false, discard: [] }],
    ['no record, a head older birds wrote (no token)', { local: null, head: head(3, null), staged: [staged(4)] }, { kind: 'rebuild', reason: 'no-record', rewriteIndex: false, discard: [4] }],
    ['no record, and the head is unreadable', { local: null, head: damaged, staged: [] }, { kind: 'rebuild', reason: 'no-record', rewriteIndex: true, discard: [] }],
    ['this store pushed here and the head is gone', { local: mine(3), head: missing, staged: [] }, { kind: 'rebuild', reason: 'index-lost', rewriteIndex: true, discard: [] }],
    ['this store pushed here and the head is unreadable', { local: mine(3), head: damaged, staged: [] }, { kind: 'rebuild', reason: 'index-lost', rewriteIndex: true, discard: [] }],
    ['another store pushed since (its token in the head)', { local: mine(3), head: head(4, 'f00dcafe'), staged: [] }, { kind: 'conflict', why: 'other-writer', verify: null }],
    ['another store pushed the same number at the same time', { local: mine(3, 't3mine0', false), head: head(3, 'f00dcafe'), staged: [] }, { kind: 'conflict', why: 'other-writer', verify: 3 }],
    ['the head is behind this store (a restored lake, or another writer started over)', { local: mine(5), head: head(2, 'f00dcafe'), staged: [] }, { kind: 'conflict', why: 'head-behind', verify: null }],
    ['a copy of this store pushed first: same number, other token', { local: mine(5), head: head(6, 'c0ffee00'), staged: [staged(6)] }, { kind: 'conflict', why: 'other-writer', verify: null }],
  ])('%s', (_, input, plan) => {
    expect(planSeriesPush(input)).toEqual(plan);
  });
});
