import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { birdLayout } from '@bird/core';
import {
  cacheFit,
  discardOutputSearchCache,
  formatCache,
  outputSources,
  parseCache,
  readOutputSearchCache,
  writeOutputSearchCache,
  type CachedOutputs,
  type OutputSources,
} from './output-search-cache.ts';

const shared = Buffer.from('one blob, two commands');
const OUTPUTS: CachedOutputs = {
  entries: [
    ['0199-a', Buffer.from('error: boom')],
    ['0199-b', shared],
    ['0199-c', shared],
    ['0199-d', Buffer.alloc(0)],
  ],
  unreadable: 0,
};
const SOURCES: OutputSources = { fixed: Buffer.alloc(32, 1), blobs: Buffer.alloc(32, 2), files: ['/r/db/data/local/outputs/date=2025-11-26/a.parquet\u00001 3 7 7', '/r/db/data/local/outputs/date=2025-11-26/b.parquet\u00002 3 7 7'] };
const asText = (c: CachedOutputs | null | undefined) => c && { unreadable: c.unreadable, entries: c.entries.map(([id, t]) => [id, t.toString()]) };

describe('the output search cache, read back as untrusted', () => {
  const bytes = formatCache(SOURCES, OUTPUTS)!;

  it('reads back what was written, each shared text stored once', () => {
    const parsed = parseCache(bytes)!;
    expect(asText(parsed.outputs)).toEqual(asText(OUTPUTS));
    expect([parsed.fixed, parsed.blobs, parsed.files]).toEqual([SOURCES.fixed, SOURCES.blobs, SOURCES.files]);
    expect(bytes.toString('latin1').split('one blob, two commands')).toHaveLength(2);
  });

  it.each([
    ['cut short anywhere', () => [1, 8, 40, 72, 76, 90, bytes.length - 1].map((n) => parseCache(bytes.subarray(0, n))).find((c) => c !== null) ?? null],
    ['with bytes after its end', () => parseCache(Buffer.concat([bytes, Buffer.from([0])]))],
    ['garbage', () => parseCache(Buffer.from('BIRDOSC2'.padEnd(200, '\xff'), 'latin1'))],
    ['another format', () => parseCache(Buffer.concat([Buffer.from('BIRDOSC1'), bytes.subarray(8)]))],
    ['empty', () => parseCache(Buffer.alloc(0))],
  ])('is not used when it is %s', (_what, read) => {
    expect(read()).toBeNull();
  });

  it('names a text that is not there: not used', () => {
    const damaged = Buffer.from(bytes);
    damaged.writeUInt32LE(99, damaged.length - 4); // the last entry's text number
    expect(parseCache(damaged)).toBeNull();
  });

  it('is not made past its bound', () => {
    const big = Buffer.alloc(64 * 1024 * 1024 + 1);
    expect(formatCache(SOURCES, { entries: [['x', big]], unreadable: 0 })).toBeNull();
  });
});

describe('how far a cache serves the outputs as they are now', () => {
  const [a, b] = SOURCES.files as [string, string];
  const c = '/r/db/data/cached/team/outputs/date=2025-11-27/c.parquet\u00009 1 1 1';
  const aRewritten = a.replace('1 3 7 7', '1 3 8 8');
  const cache = (over: Partial<OutputSources> = {}, unreadable = 0) => ({ ...SOURCES, ...over, outputs: { ...OUTPUTS, unreadable } });
  const now = (over: Partial<OutputSources> = {}): OutputSources => ({ ...SOURCES, ...over });
  it.each([
    ['all as it was made from', cache(), now(), []],
    ['a file added', cache(), now({ files: [a, b, c] }), ['/r/db/data/cached/team/outputs/date=2025-11-27/c.parquet']],
    ['a file added, a blob written', cache(), now({ files: [a, b, c], blobs: Buffer.alloc(32, 3) }), ['/r/db/data/cached/team/outputs/date=2025-11-27/c.parquet']],
    ['a blob written, no file added', cache(), now({ blobs: Buffer.alloc(32, 3) }), []],
    ['a file gone (a forget, a compaction)', cache(), now({ files: [b] }), null],
    ['a file rewritten in place', cache(), now({ files: [aRewritten, b] }), null],
    ['a file added, but the cache holds outputs it could not read', cache({}, 1), now({ files: [a, b, c] }), null],
    ['a blob written, the cache holding outputs it could not read', cache({}, 1), now({ blobs: Buffer.alloc(32, 3) }), null],
    ['the catalog changed (duckdb mode)', cache(), now({ fixed: Buffer.alloc(32, 9) }), null],
  ])('%s', (_what, made, current, added) => {
    const fit = cacheFit(made, current);
    expect(fit === null ? null : fit.added).toEqual(added);
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

  it('is used while the outputs are as they were, and not whole once a file of them changes, goes or comes', () => {
    const layout = store();
    writeOutputSearchCache(layout, outputSources(layout), OUTPUTS);
    expect(asText(readOutputSearchCache(layout, outputSources(layout))?.outputs)).toEqual(asText(OUTPUTS));
    const day = join(layout.localData, 'outputs', 'date=2025-11-26');
    const changes = [
      () => writeFileSync(join(day, 'a.parquet'), 'ROWS'), // rewritten, same size
      () => writeFileSync(join(day, 'b.parquet'), 'more'),
      () => rmSync(join(day, 'b.parquet')),
      () => writeFileSync(layout.catalog, 'duckdb mode: rows in the catalog'),
      () => {
        mkdirSync(join(layout.cachedData, 'team', 'outputs', 'date=2025-11-27'), { recursive: true });
        writeFileSync(join(layout.cachedData, 'team', 'outputs', 'date=2025-11-27', 'p.parquet'), 'pulled');
      },
    ];
    for (const change of changes) {
      writeOutputSearchCache(layout, outputSources(layout), OUTPUTS);
      change();
      expect(readOutputSearchCache(layout, outputSources(layout))?.added ?? null, String(change)).not.toEqual([]);
    }
  });

  it('a folder in its place is never read as one, nor an error to write or delete', () => {
    const layout = store();
    mkdirSync(layout.outputSearchCache);
    const sources = outputSources(layout);
    expect(() => writeOutputSearchCache(layout, sources, OUTPUTS)).not.toThrow();
    expect(() => discardOutputSearchCache(layout)).not.toThrow();
    expect(readOutputSearchCache(layout, sources)).toBeNull();
  });

  it('is deleted, and can be deleted when it is not there', () => {
    const layout = store();
    writeOutputSearchCache(layout, outputSources(layout), OUTPUTS);
    expect(readFileSync(layout.outputSearchCache).length).toBeGreaterThan(0);
    discardOutputSearchCache(layout);
    discardOutputSearchCache(layout);
    expect(readOutputSearchCache(layout, outputSources(layout))).toBeNull();
  });
});
