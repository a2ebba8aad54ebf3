import { describe, expect, it } from 'vitest';
import { progressBar } from './progress.ts';

const sink = () => {
  let text = '';
  return { write: (t: string) => ((text += t), true), text: () => text, isTTY: false, on() {}, removeListener() {} };
};

describe('progressBar', () => {
  it('stays silent for a run that ends within a second', () => {
    const out = sink();
    let t = 0;
    const bar = progressBar(out, () => t);
    t = 500;
    bar.update(1, 3);
    bar.update(3, 3);
    bar.stop();
    expect(out.text()).toBe('');
  });

  it('shows done and total once a run has taken a second and work remains', () => {
    const out = sink();
    let t = 0;
    const bar = progressBar(out, () => t);
    t = 1500;
    bar.update(2, 10);
    bar.update(7, 10);
    bar.stop();
    expect(out.text()).toMatch(/compacting \[.*\] \d+\/10 partitions/);
  });
});
