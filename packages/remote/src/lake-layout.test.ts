import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blobKey, lakeKey, lakeTableFiles, parseBlobKey, parseLakeKey } from './lake-layout.ts';

describe('lake keys', () => {
  it('round-trips a batch', () => {
    const batch = { table: 'invocations' as const, client: 'u@h', date: '2024-06-01', batch: '0190abc' };
    expect(lakeKey(batch)).toBe('invocations/client=u@h/date=2024-06-01/0190abc.parquet');
    expect(parseLakeKey(lakeKey(batch))).toEqual(batch);
  });
  it.each([
    '_bird/manifest.json',
    'invocations/x.parquet',
    'invocations/a/b/c/d.parquet',
    'invocations/a/b/c.parquet', // not client= / date= folders
    'invocations/client=u/date=2024-6-1/c.parquet',
    'invocations/client=/date=2024-06-01/c.parquet',
    'other/client=u/date=2024-06-01/c.parquet',
    'events/client=u/date=2024-06-01/.c.parquet',
    'events/client=u/.date=2024-06-01/c.parquet',
    'events/client=u/date=2024-06-01/c*.parquet',
    'events/client=u/date=2024-06-01/c.json',
    'events/client=u/date=2024-06-01/.parquet',
  ])('%s is not a batch', (key) => expect(parseLakeKey(key)).toBeNull());
  it.each([
    [{ client: 'a/b' }, /client id/],
    [{ client: '.hidden' }, /client id/],
    [{ batch: 'x*' }, /batch name/],
    [{ date: '2024-6-1' }, /date/],
  ])('refuses to build a key from %j', (over, why) => {
    expect(() => lakeKey({ table: 'events', client: 'u', date: '2024-06-01', batch: 'b', ...over })).toThrow(why);
  });
});

describe('lakeTableFiles', () => {
  it('lists the batches of one table at lake depth, and nothing else', () => {
    const root = mkdtempSync(join(tmpdir(), 'bird-lake-'));
    const put = (rel: string) => {
      mkdirSync(join(root, rel, '..'), { recursive: true });
      writeFileSync(join(root, rel), 'x');
    };
    for (const rel of ['invocations/client=a/date=2024-06-01/1.parquet', 'invocations/client=b/date=2024-06-02/2.parquet', 'invocations/client=a/date=2024-06-01/.up.parquet.tmp', 'invocations/stray.parquet', 'sessions/client=a/date=2024-06-01/3.parquet', '_bird/format.json']) put(rel);
    expect(lakeTableFiles(root, 'invocations').map((f) => f.slice(root.length + 1))).toEqual(['invocations/client=a/date=2024-06-01/1.parquet', 'invocations/client=b/date=2024-06-02/2.parquet']);
    expect(lakeTableFiles(root, 'invocations', 1)).toHaveLength(1);
  });
});

describe('blob keys', () => {
  const hash = 'ab'.padEnd(64, '0');
  it('round-trips a blob', () => {
    expect(blobKey('u@h', hash)).toBe(`blobs/client=u@h/ab/${hash}.gz`);
    expect(parseBlobKey(blobKey('u@h', hash))).toEqual({ client: 'u@h', contentHash: hash });
  });
  it.each([`blobs/client=u@h/ac/${hash}.gz`, `blobs/client=u@h/ab/${hash.slice(1)}.gz`, `blobs/u@h/ab/${hash}.gz`, `blobs/client=.u/ab/${hash}.gz`, `blobs/client=u/ab/${hash.toUpperCase()}.gz`])('%s is not a blob', (key) => expect(parseBlobKey(key)).toBeNull());
  it('refuses a name that is not 64 hex', () => expect(() => blobKey('u', '../x')).toThrow(/64 hex/));
});
