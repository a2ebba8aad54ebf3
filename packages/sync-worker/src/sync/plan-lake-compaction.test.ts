import { describe, expect, it } from 'vitest';
import { planLakeCompaction, type CompactionGroup, type CompactionInput, type LiveBatch } from './plan-lake-compaction.ts';

const TODAY = '2026-12-07';
const b = (key: string, date: string, seq: number | null = 1, rows = 10, table: LiveBatch['table'] = 'invocations'): LiveBatch => ({ key, table, date, rows, seq });
const input = (batches: LiveBatch[], over: Partial<CompactionInput> = {}): CompactionInput => ({ batches, today: TODAY, headSeq: 40, ...over });
const group = (date: string, batches: string[], upTo: number, rows = batches.length * 10, table: LiveBatch['table'] = 'invocations'): CompactionGroup => ({ table, date, batches, upTo, rows });

describe('planLakeCompaction', () => {
  it.each<[string, CompactionInput, CompactionGroup[]]>([
    ['nothing pushed', input([]), []],
    ['one batch a day: nothing to merge', input([b('a', '2026-12-01'), b('b', '2026-12-02')]), []],
    ['two batches of a past day: merged, upTo their last segment', input([b('b', '2026-12-01', 7), b('a', '2026-12-01', 3)]), [group('2026-12-01', ['a', 'b'], 7)]],
    ['yesterday and today still get rows: left alone', input([b('a', '2026-12-06'), b('b', '2026-12-06'), b('c', '2026-12-07'), b('d', '2026-12-07')]), []],
    ['the day before yesterday is merged', input([b('a', '2026-12-05'), b('b', '2026-12-05', 2)]), [group('2026-12-05', ['a', 'b'], 2)]],
    ['tables are merged apart', input([b('a', '2026-12-01'), b('s', '2026-12-01', 1, 10, 'sessions'), b('t', '2026-12-01', 2, 10, 'sessions')]), [group('2026-12-01', ['s', 't'], 2, 20, 'sessions')]],
    ['a merged day with a late batch is merged again', input([b('m', '2026-11-01', 12, 500), b('late', '2026-11-01', 30)]), [group('2026-11-01', ['late', 'm'], 30, 510)]],
    ['a batch of unknown segment: upTo is the head', input([b('a', '2026-12-01', null), b('b', '2026-12-01', 5)]), [group('2026-12-01', ['a', 'b'], 40)]],
    ['the same batch twice on the ledger counts once', input([b('a', '2026-12-01'), b('a', '2026-12-01')]), []],
    ['days wholly before a range forget are deleted, not merged', input([b('a', '2026-11-01'), b('b', '2026-11-01'), b('c', '2026-11-20'), b('d', '2026-11-20')], { forgottenBefore: '2026-11-15' }), [group('2026-11-20', ['c', 'd'], 1)]],
    [
      'at most maxGroups groups a push, oldest first; the rest waits',
      input([b('a', '2026-12-02'), b('b', '2026-12-02'), b('c', '2026-12-01'), b('d', '2026-12-01'), b('e', '2026-11-30'), b('f', '2026-11-30')], { limits: { maxGroups: 2, maxRows: 1e9 } }),
      [group('2026-11-30', ['e', 'f'], 1), group('2026-12-01', ['c', 'd'], 1)],
    ],
    [
      'a row budget stops the push, but the first group is always taken',
      input([b('a', '2026-12-01', 1, 900), b('b', '2026-12-01', 1, 900), b('c', '2026-12-02'), b('d', '2026-12-02')], { limits: { maxGroups: 64, maxRows: 100 } }),
      [group('2026-12-01', ['a', 'b'], 1, 1800)],
    ],
  ])('%s', (_, given, plan) => {
    expect(planLakeCompaction(given)).toEqual(plan);
  });
});
