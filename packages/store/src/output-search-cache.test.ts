import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { birdLayout } from '@bird/core';
import { discardOutputSearchCache, formatCache, outputSourcesKey, parseCache, readOutputSearchCache, writeOutputSearchCache, type CachedOutputs } from './output-search-cache.ts';

const KEY = Buffer.alloc(32, 7);
const shared = Buffer.from('one blob, two commands');
const OUTPUTS: CachedOutputs = {
  entries: [
    ['0199-a', Buffer.from('error: boom')],
    ['0199-b', shared],
    ['0199-c', shared],
    ['0199-d', Buffer.alloc(0)],
  ],
  unreadable: 2,
};
const asText = (c: CachedOutputs | null) => c && { unreadable: c.unreadable, entries: c.entries.map(([id, t]) => [id, t.toString()]) };

describe('the output search cache, read back as untrusted', () => {
  const bytes = formatCache(KEY, OUTPUTS)!;

  it('reads back what was written, each shared text stored once', () => {
    expect(asText(parseCache(bytes, KEY))).toEqual(asText(OUTPUTS));
    expect(bytes.toString('latin1').split('one blob, two commands')).toHaveLength(2);
  });

  it.each([
    ['made for other outputs (another key)', () => parseCache(bytes, Buffer.alloc(32, 8))],
    ['cut short anywhere', () => [1, 8, 40, 44, 60, bytes.length - 1].map((n) => parseCache(bytes.subarray(0, n), KEY)).find((c) => c !== null) ?? null],
    ['with bytes after its end', () => parseCache(Buffer.concat([bytes, Buffer.from([0])]), KEY)],
    ['garbage', () => parseCache(Buffer.from('BIRDOSC1'.padEnd(200, '\xff'), 'latin1'), KEY)],
    ['another format', () => parseCache(Buffer.concat([Buffer.from('BIRDOSC9'), bytes.subarray(8)]), KEY)],
    ['empty', () => parseCache(Buffer.alloc(0), KEY)],
  ])('is not used when it is %s', (_what, read) => {
    expect(read()).toBeNull();
  });

  it('names a text that is not there: not used', () => {
    const damaged = Buffer.from(bytes);
    damaged.writeUInt32LE(99, damaged.length - 4); // the last entry's text number
    expect(parseCache(damaged, KEY)).toBeNull();
  });

  it('is not made past its bound', () => {
    const big = Buffer.alloc(64 * 1024 * 1024 + 1);
    expect(formatCache(KEY, { entries: [['x', big]], unreadable: 0 })).toBeNull();
  });
});

describe('the output search cache on disk', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const store = () => {
    dir = mkdtempSync(join(tmpdir(), 'bird-output-cache-'));
    const layout = birdLayout(dir);
    mkdirSync(join(layout.localData, 'outputs', 'date=2025-11-26'), { recursive: true });
    writeFileSync(join(layout.localData, 'outputs', 'date=2025-11-26', 'a.parquet'), 'rows');
    return layout;
  };

  it('is used while the outputs are as they were, and not once a file of them changes, goes or comes', () => {
    const layout = store();
    const key = outputSourcesKey(layout);
    writeOutputSearchCache(layout, key, OUTPUTS);
    expect(asText(readOutputSearchCache(layout, outputSourcesKey(layout)))).toEqual(asText(OUTPUTS));
    const day = join(layout.localData, 'outputs', 'date=2025-11-26');
    const changes = [
      () => writeFileSync(join(day, 'a.parquet'), 'ROWS'), // rewritten, same size
      () => writeFileSync(join(day, 'b.parquet'), 'more'),
      () => rmSync(join(day, 'b.parquet')),
      () => writeFileSync(layout.catalog, 'duckdb mode: rows in the catalog'),
      () => mkdirSync(join(layout.blobs, 'ab'), { recursive: true }),
      () => writeFileSync(join(layout.blobs, 'ab', 'new.gz'), 'blob'),
      () => {
        mkdirSync(join(layout.cachedData, 'team', 'outputs', 'date=2025-11-27'), { recursive: true });
        writeFileSync(join(layout.cachedData, 'team', 'outputs', 'date=2025-11-27', 'p.parquet'), 'pulled');
      },
    ];
    for (const change of changes) {
      const before = outputSourcesKey(layout);
      change();
      const now = outputSourcesKey(layout);
      expect(now.equals(before), String(change)).toBe(false);
      expect(readOutputSearchCache(layout, now)).toBeNull();
    }
  });

  it('a folder in its place is never read as one, nor an error to write or delete', () => {
    const layout = store();
    mkdirSync(layout.outputSearchCache);
    const key = outputSourcesKey(layout);
    expect(() => writeOutputSearchCache(layout, key, OUTPUTS)).not.toThrow();
    expect(() => discardOutputSearchCache(layout)).not.toThrow();
    expect(readOutputSearchCache(layout, key)).toBeNull();
  });

  it('is deleted, and can be deleted when it is not there', () => {
    const layout = store();
    writeOutputSearchCache(layout, outputSourcesKey(layout), OUTPUTS);
    expect(readFileSync(layout.outputSearchCache).length).toBeGreaterThan(0);
    discardOutputSearchCache(layout);
    discardOutputSearchCache(layout);
    expect(readOutputSearchCache(layout, outputSourcesKey(layout))).toBeNull();
  });
});
