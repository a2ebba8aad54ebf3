// A project cache's record is read back as untrusted text: only one absolute path, on one line,
// whose hash names the folder it is in, is a record.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { birdLayout } from './paths.ts';
import { parseCacheRecord, recordProjectOfCache, recordedProjectOfCache } from './project-cache-record.ts';
import { projectCacheKey } from './project-store.ts';

const project = '/home/me/src/app/.bird';
const key = projectCacheKey(project);

describe('parseCacheRecord', () => {
  test.each([
    ['the record bird writes', `${project}\n`, project],
    ['no newline at the end (cut short)', project, null],
    ['two lines', `${project}\n/etc\n`, null],
    ['a relative path', 'src/app/.bird\n', null],
    ['empty', '\n', null],
    ['a control character', `${project}\u001b\n`, null],
    ["another cache's record", '/home/me/src/other/.bird\n', null],
    ['garbage', '\u0000\u0001PAR1\n', null],
    ['too long', `/${'a'.repeat(5000)}\n`, null],
  ])('%s', (_what, text, expected) => {
    expect(parseCacheRecord(text, key)).toBe(expected);
  });
});

describe('recordProjectOfCache', () => {
  test('what it writes reads back as the project store’s real path; a symlink for a record is none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bird-record-'));
    const repo = join(dir, 'repo', '.bird');
    mkdirSync(repo, { recursive: true });
    const cache = birdLayout(join(dir, 'caches', projectCacheKey(repo)));
    mkdirSync(cache.tmp, { recursive: true });
    expect(recordedProjectOfCache(cache.root)).toBeNull();
    recordProjectOfCache(cache, birdLayout(repo));
    expect(recordedProjectOfCache(cache.root)).toBe(repo);

    const other = birdLayout(join(dir, 'caches', projectCacheKey('/elsewhere/.bird')));
    mkdirSync(other.root, { recursive: true });
    writeFileSync(join(dir, 'target'), '/elsewhere/.bird\n');
    symlinkSync(join(dir, 'target'), other.cachedProject);
    expect(recordedProjectOfCache(other.root)).toBeNull();
  });
});
