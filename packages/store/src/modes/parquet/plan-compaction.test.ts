import { describe, expect, it } from 'vitest';
import { MERGED_PREFIX, planCompaction, type ListedFile, type PartitionListing } from './plan-compaction.ts';

const NOW = { ms: 1_000_000_000, today: '2026-12-02' };
const POLICY = { minFiles: 3, minAgeMs: 60_000, targetBytes: 1000 };
const OLD = NOW.ms - 120_000;
const f = (name: string, size = 10, mtimeMs = OLD): ListedFile => ({ name, size, mtimeMs });
const part = (date: string, files: ListedFile[]): PartitionListing => ({ table: 'invocations', date, dir: `/d/date=${date}`, files });

describe('planCompaction', () => {
  const cases: { name: string; partitions: PartitionListing[]; inputs: string[][] }[] = [
    { name: 'nothing to do in an empty store', partitions: [], inputs: [] },
    { name: 'a closed day with one file is done', partitions: [part('2026-11-30', [f('a.parquet')])], inputs: [] },
    { name: 'a closed day with two files ends as one', partitions: [part('2026-11-30', [f('b.parquet'), f('a.parquet')])], inputs: [['a.parquet', 'b.parquet']] },
    {
      name: 'a closed day is merged whole, whatever the sizes',
      partitions: [part('2026-11-30', [f('big.parquet', 5000), f('x.parquet'), f('y.parquet')])],
      inputs: [['big.parquet', 'x.parquet', 'y.parquet']],
    },
    { name: 'today waits for min_files small files', partitions: [part('2026-12-02', [f('a.parquet'), f('b.parquet')])], inputs: [] },
    { name: 'today is merged once it has min_files', partitions: [part('2026-12-02', [f('a.parquet'), f('b.parquet'), f('c.parquet')])], inputs: [['a.parquet', 'b.parquet', 'c.parquet']] },
    {
      name: 'files younger than min_age are left for the next run',
      partitions: [part('2026-12-02', [f('a.parquet'), f('b.parquet'), f('c.parquet', 10, NOW.ms - 1000)]), part('2026-11-30', [f('x.parquet'), f('y.parquet', 10, NOW.ms)])],
      inputs: [],
    },
    {
      name: 'today’s already merged files (half the target or more) are not merged again',
      partitions: [part('2026-12-02', [f('c-1.parquet', 600), f('a.parquet'), f('b.parquet'), f('c.parquet')])],
      inputs: [['a.parquet', 'b.parquet', 'c.parquet']],
    },
    {
      name: 'today’s small files go into outputs of about the target size',
      partitions: [part('2026-12-02', [f('a.parquet', 400), f('b.parquet', 400), f('c.parquet', 400), f('d.parquet', 400), f('e.parquet', 10)])],
      inputs: [['a.parquet', 'b.parquet'], ['c.parquet', 'd.parquet', 'e.parquet']],
    },
    { name: 'a date after today (a skewed clock) is treated like today', partitions: [part('2026-12-03', [f('a.parquet'), f('b.parquet')])], inputs: [] },
    {
      name: 'each partition on its own',
      partitions: [part('2026-11-29', [f('a.parquet'), f('b.parquet')]), part('2026-11-30', [f('c.parquet'), f('d.parquet')])],
      inputs: [['a.parquet', 'b.parquet'], ['c.parquet', 'd.parquet']],
    },
  ];
  it.each(cases)('$name', ({ partitions, inputs }) => {
    expect(planCompaction(partitions, NOW, POLICY).map((j) => j.inputs)).toEqual(inputs);
  });

  it('names an output from its inputs: the same inputs give the same name, never one of the inputs', () => {
    const files = [f('a.parquet'), f('b.parquet')];
    const [one] = planCompaction([part('2026-11-30', files)], NOW, POLICY);
    const [again] = planCompaction([part('2026-11-30', [...files].reverse())], NOW, POLICY);
    const [other] = planCompaction([part('2026-11-30', [f('a.parquet'), f('c.parquet')])], NOW, POLICY);
    expect(one!.output).toBe(again!.output);
    expect(one!.output).not.toBe(other!.output);
    expect(one!.output.startsWith(MERGED_PREFIX)).toBe(true);
    expect(one!.inputs).not.toContain(one!.output);
  });
});
