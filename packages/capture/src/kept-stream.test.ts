import { describe, expect, it } from 'vitest';
import { KeptStream } from './kept-stream.ts';

const bytes = (n: number, from = 0) => Buffer.from(Array.from({ length: n }, (_, i) => (from + i) % 251));

describe('KeptStream keeps all of a stream up to its limit, else its head and its tail', () => {
  it.each([
    ['nothing', 10, [], 0],
    ['less than the limit, in one chunk', 10, [7], 7],
    ['exactly the limit', 10, [10], 10],
    ['one byte over', 10, [11], 10],
    ['many small chunks', 10, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 10],
    ['a chunk across the head', 10, [3, 9, 2], 10],
    ['one huge chunk', 10, [1000], 10],
    ['an odd limit', 7, [20], 7],
  ])('%s', (_name, max, sizes, keptLength) => {
    const keeper = new KeptStream(max);
    const all: Buffer[] = [];
    let at = 0;
    for (const size of sizes) {
      const chunk = bytes(size, at);
      at += size;
      all.push(chunk);
      keeper.push(chunk);
    }
    const whole = Buffer.concat(all);
    const kept = keeper.kept();
    expect(keeper.byteLength).toBe(whole.length);
    expect(kept.length).toBe(keptLength);
    const head = Math.floor(max / 2);
    const expected = whole.length <= max ? whole : Buffer.concat([whole.subarray(0, head), whole.subarray(whole.length - (max - head))]);
    expect(kept.equals(expected)).toBe(true);
  });
});
