import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256, toHex } from './sha256.ts';

describe('sha256', () => {
  it.each([
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
  ])('matches the FIPS 180-4 test vector for %j', (input, hex) => {
    expect(toHex(sha256(input))).toBe(hex);
  });

  it('matches node:crypto at every length around the block boundaries, and for long input', () => {
    const lengths = [...Array.from({ length: 140 }, (_, i) => i), 1000, 100_000, 1_000_003];
    for (const n of lengths) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 131 + n) & 0xff);
      expect(toHex(sha256(data)), `length ${n}`).toBe(createHash('sha256').update(data).digest('hex'));
    }
  });

  it('hashes strings as UTF-8, like node:crypto', () => {
    for (const s of ['🐦 e\u0301', 'zsh-1\u0000170\u0000ls -la', '日本語'.repeat(50)]) {
      expect(toHex(sha256(s))).toBe(createHash('sha256').update(s).digest('hex'));
    }
  });
});
