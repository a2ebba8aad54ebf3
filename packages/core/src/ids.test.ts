import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contentUuidv7, uuidv7 } from './ids.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The 48-bit millisecond timestamp at the front of a UUIDv7. */
const msOf = (id: string) => Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);

describe('uuidv7', () => {
  const times = [0, 1, 1_700_000_000_123, Date.UTC(2038, 0, 19, 3, 14, 8), 2 ** 48 - 1];

  it.each(times)('encodes %d ms with version 7 and variant 10', (ms) => {
    const id = uuidv7(ms);
    expect(id).toMatch(UUID);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
    expect(msOf(id)).toBe(ms);
  });

  it('keeps version and variant bits whatever the entropy', () => {
    for (const fill of [0x00, 0xff, 0x5a]) {
      const id = uuidv7(1_700_000_000_000, new Uint8Array(10).fill(fill));
      expect(id[14]).toBe('7');
      expect(['8', '9', 'a', 'b']).toContain(id[19]);
    }
    expect(uuidv7(0, new Uint8Array(10))).toBe('00000000-0000-7000-8000-000000000000');
    expect(uuidv7(0, new Uint8Array(10).fill(0xff))).toBe('00000000-0000-7fff-bfff-ffffffffffff');
  });

  it('sorts as text in the order of time', () => {
    const ms = [5, 999, 1_000, 1_699_999_999_999, 1_700_000_000_000, 1_700_000_000_001, 4_102_444_800_000];
    const ids = ms.map((t) => uuidv7(t, new Uint8Array(10).fill(0xff - (t % 200))));
    expect([...ids].sort()).toEqual(ids);
  });

  it('floors fractional and clamps negative milliseconds', () => {
    expect(msOf(uuidv7(1234.9))).toBe(1234);
    expect(msOf(uuidv7(-5))).toBe(0);
  });

  it('differs between calls with fresh entropy', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => uuidv7(1_700_000_000_000)));
    expect(ids.size).toBe(1000);
  });

  it('refuses too little entropy', () => {
    expect(() => uuidv7(0, new Uint8Array(9))).toThrow(/10 bytes/);
  });
});

describe('contentUuidv7', () => {
  it('is the same for the same time and content', () => {
    expect(contentUuidv7(1_700_000_000_000, 'ls -la')).toBe(contentUuidv7(1_700_000_000_000, 'ls -la'));
    expect(contentUuidv7(1, new TextEncoder().encode('ls'))).toBe(contentUuidv7(1, 'ls'));
  });

  it('hashes with SHA-256, so ids match those written before the hash moved off node:crypto', () => {
    const digest = createHash('sha256').update('zsh-1\u00001700000000000000\u0000ls -la').digest();
    expect(contentUuidv7(1_700_000_000_000, 'zsh-1\u00001700000000000000\u0000ls -la')).toBe(uuidv7(1_700_000_000_000, digest));
  });

  it('gives the same id with node:crypto as the hash, for any text', () => {
    const node = (c: string | Uint8Array) => createHash('sha256').update(c).digest();
    for (const content of ['', 'ls', 'echo 日本語 🐦\n\ttab', 'x'.repeat(1000)]) expect(contentUuidv7(5, content, node)).toBe(contentUuidv7(5, content));
  });

  it.each([
    ['other content', 1_700_000_000_000, 'ls -l'],
    ['another millisecond', 1_700_000_000_001, 'ls -la'],
  ])('changes with %s', (_name, ms, content) => {
    expect(contentUuidv7(ms, content)).not.toBe(contentUuidv7(1_700_000_000_000, 'ls -la'));
  });

  it('is a valid, time-ordered UUIDv7', () => {
    const a = contentUuidv7(1_700_000_000_000, 'zzz');
    const b = contentUuidv7(1_700_000_000_001, 'aaa');
    for (const id of [a, b]) {
      expect(id).toMatch(UUID);
      expect(id[14]).toBe('7');
      expect(['8', '9', 'a', 'b']).toContain(id[19]);
    }
    expect(a < b).toBe(true);
    expect(msOf(a)).toBe(1_700_000_000_000);
  });
});
