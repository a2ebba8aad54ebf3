import { describe, expect, it } from 'vitest';
import { keyHash, repeatedHashes } from './repeated-keys.ts';

const T = 1_700_000_000_000_000n;

describe('keyHash', () => {
  it.each<[string, bigint | null, string, bigint | null, string, boolean]>([
    ['the same start and command', T, 'make', T, 'make', true],
    ['no start, the same command', null, 'ls', null, 'ls', true],
    ['a microsecond apart', T, 'make', T + 1n, 'make', false],
    ['a start 2^32 µs apart', T, 'make', T + 0x100000000n, 'make', false],
    ['another command', T, 'make', T, 'make ', false],
    ['no start and start 0', null, 'ls', 0n, 'ls', false],
    ['the time moved into the text', 1n, '2x', 12n, 'x', false],
  ])('%s: equal hashes %s', (_, s1, c1, s2, c2, equal) => {
    expect(keyHash(s1, c1) === keyHash(s2, c2)).toBe(equal);
  });

  it('is an integer a Float64Array holds exactly, and repeatedHashes finds the repeated ones', () => {
    const hashes = Float64Array.from([keyHash(T, 'a'), keyHash(T, 'b'), keyHash(T, 'a')]);
    expect(Number.isSafeInteger(hashes[0])).toBe(true);
    expect(repeatedHashes(hashes, 3)).toEqual(new Set([keyHash(T, 'a')]));
  });
});
