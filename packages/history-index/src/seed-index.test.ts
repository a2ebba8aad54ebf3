import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { birdLayout, ensureRoot } from '@bird/core';
import { indexFiles } from './index-files.ts';
import { loadHistory } from './load-history.ts';
import { seedEmptyIndex } from './seed-index.ts';

const freshRoot = () => {
  const layout = birdLayout(join(mkdtempSync(join(tmpdir(), 'bird-seed-')), 'bird'));
  ensureRoot(layout);
  return layout;
};

describe('seedEmptyIndex', () => {
  it('gives a new, empty store an empty snapshot: readable at once, no rebuild', () => {
    const layout = freshRoot();
    expect(loadHistory(layout.historyIndex)).toMatchObject({ ok: false, why: 'missing' });
    seedEmptyIndex(layout);
    expect(loadHistory(layout.historyIndex)).toMatchObject({ ok: true, journalRows: 0 });
    expect(existsSync(indexFiles(layout.historyIndex).lock)).toBe(false);
  });

  it.each([
    ['a catalog', (l: ReturnType<typeof birdLayout>) => writeFileSync(l.catalog, '')],
    ['a local data file', (l: ReturnType<typeof birdLayout>) => mkdirSync(join(l.localData, 'invocations'))],
    ['pulled data', (l: ReturnType<typeof birdLayout>) => mkdirSync(l.cachedData)],
  ])('leaves a store holding %s to be rebuilt by its first reader', (_what, addData) => {
    const layout = freshRoot();
    addData(layout);
    seedEmptyIndex(layout);
    expect(loadHistory(layout.historyIndex)).toMatchObject({ ok: false, why: 'missing' });
  });

  it('never replaces a snapshot', () => {
    const layout = freshRoot();
    mkdirSync(layout.historyIndex, { recursive: true });
    writeFileSync(indexFiles(layout.historyIndex).snapshot, 'a rebuild wrote this');
    seedEmptyIndex(layout);
    expect(readFileSync(indexFiles(layout.historyIndex).snapshot, 'utf8')).toBe('a rebuild wrote this');
  });

  it('writes nothing while a rebuild holds the lock (that rebuild writes the real one)', () => {
    const layout = freshRoot();
    mkdirSync(layout.historyIndex, { recursive: true });
    writeFileSync(indexFiles(layout.historyIndex).lock, `${process.ppid} - -\n`); // a live rebuild
    seedEmptyIndex(layout);
    expect(existsSync(indexFiles(layout.historyIndex).snapshot)).toBe(false);
  });
});
