import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { INLINE_MAX_BYTES, planOutputs, type CapturedStream } from './record-output.ts';

const command = { id: '01a250e5-b39b-7b55-b055-95cfe28f2c02', timestamp: 1_764_200_000_000_000n, date: '2025-11-26' };
const stream = (s: CapturedStream['stream'], kept: Buffer, byteLength = kept.length): CapturedStream => ({ stream: s, kept, byteLength });
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('planOutputs', () => {
  it.each([
    ['short text', Buffer.from('out\n'), 'inline'],
    ['text of exactly the inline limit', Buffer.alloc(INLINE_MAX_BYTES, 'x'), 'inline'],
    ['text one byte over it', Buffer.alloc(INLINE_MAX_BYTES + 1, 'x'), 'blob'],
    ['bytes that are not UTF-8', Buffer.from([0xff, 0xfe, 0x41]), 'blob'],
    ['text holding a NUL', Buffer.from('a\0b'), 'blob'],
  ])('stores %s as %s', (_name, bytes, type) => {
    const { rows, blobs } = planOutputs(command, [stream('stdout', bytes)]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ invocation_id: command.id, stream: 'stdout', byte_length: bytes.length, storage_type: type, content_hash: sha(bytes), date: command.date });
    if (type === 'inline') {
      expect(rows[0]!.storage_ref).toBe(bytes.toString('utf8'));
      expect(blobs).toEqual([]);
    } else {
      expect(rows[0]!.storage_ref).toBe(`${sha(bytes).slice(0, 2)}/${sha(bytes)}.gz`);
      expect(blobs).toEqual([{ contentHash: sha(bytes), bytes }]);
    }
  });

  it('stores no row for a stream that printed nothing', () => {
    expect(planOutputs(command, [stream('stderr', Buffer.alloc(0))]).rows).toEqual([]);
  });

  it('keeps the true size of a cut stream', () => {
    const [row] = planOutputs(command, [stream('stdout', Buffer.from('head tail'), 5_000_000)]).rows;
    expect(row!.byte_length).toBe(5_000_000);
  });

  it('gives each stream its own id, the same every time it is planned', () => {
    const streams = [stream('stdout', Buffer.from('o')), stream('stderr', Buffer.from('e'))];
    const once = planOutputs(command, streams).rows.map((r) => r.id);
    expect(new Set(once).size).toBe(2);
    expect(planOutputs(command, streams).rows.map((r) => r.id)).toEqual(once);
  });

  it('redacts a secret the command rules recognise, and leaves every other byte, binary too', () => {
    const token = `ghp_${'aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF3hJ5'}`;
    const bytes = Buffer.concat([Buffer.from([0xff, 0x00, 0xc3]), Buffer.from(` token=${token} done`)]);
    const { rows, blobs } = planOutputs(command, [stream('stdout', bytes)]);
    const stored = Buffer.concat([Buffer.from([0xff, 0x00, 0xc3]), Buffer.from(' token=[REDACTED] done')]);
    expect(blobs[0]!.bytes).toEqual(stored);
    expect(rows[0]!.content_hash).toBe(sha(stored));
    expect(rows[0]!.byte_length).toBe(bytes.length);
  });
});
