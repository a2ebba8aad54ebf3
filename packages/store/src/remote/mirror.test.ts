import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { invocation, session, tempDir, tempLayout } from '../testing/fixtures.ts';
import { putLakeBatch } from '../testing/remote-lake.ts';
import { useTestBackends } from '@bird/remote/testing';
import { expireMirrorListing, isLakeKey, LISTING_MAX_AGE_MS, MIRROR_MARKER, mirrorDir, mirrorIsFresh, syncMirror } from './mirror.ts';
import type { RemoteBackend } from '@bird/remote';

const { make: BACKENDS } = useTestBackends();

/** Every mirrored batch with its inode: a file downloaded again gets a new one (it lands by rename). */
function mirrored(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  const walk = (path: string, rel: string) => {
    for (const e of readdirSync(path, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(path, e.name), `${rel}${e.name}/`);
      else if (e.name.endsWith('.parquet')) out[`${rel}${e.name}`] = statSync(join(path, e.name)).ino;
    }
  };
  walk(dir, '');
  return out;
}

function age(dir: string, seconds: number): void {
  const when = Date.now() / 1000 - seconds;
  for (const key of Object.keys(mirrored(dir))) utimesSync(join(dir, key), when, when);
}

test('lake keys are batches at lake depth, without hidden parts or glob characters', () => {
  expect(isLakeKey('invocations/client=u@h/date=2024-06-01/0190.parquet')).toBe(true);
  for (const key of ['_bird/manifest.json', 'invocations/x.parquet', 'invocations/a/b/c/d.parquet', 'invocations/a/b/c.parquet', 'other/a/b/c.parquet', 'events/a/b/.c.parquet', 'events/a/.b/c.parquet', 'events/a/b/c*.parquet', 'events/a/b/c.json']) {
    expect(isLakeKey(key)).toBe(false);
  }
});

for (const [kind, make] of Object.entries(BACKENDS)) {
  describe(`a mirror of a ${kind} remote`, () => {
    let backend: RemoteBackend;
    const dir = join(tempDir('bird-mirror-'), 'mirror', 'r');

    beforeAll(async () => {
      backend = await make();
      await putLakeBatch(backend, 'invocations', 'a@h', '2024-06-01', [invocation(), invocation()]);
      await putLakeBatch(backend, 'invocations', 'b@h', '2024-06-02', [invocation({ date: '2024-06-02' })]);
      await putLakeBatch(backend, 'sessions', 'a@h', '2024-06-01', [session()]);
      const other = join(tempDir(), 'other');
      writeFileSync(other, '{}');
      await backend.put('_bird/clients.json', other);
      await backend.put('invocations/not-at-lake-depth.parquet', other);
    });
    afterAll(() => backend?.close());

    test('the first sync downloads every batch and only batches, in the lake layout', async () => {
      expect(await syncMirror(backend, dir)).toEqual({ downloaded: 3, kept: 0, removed: 0, ignored: 1 });
      const keys = Object.keys(mirrored(dir)).sort();
      expect(keys).toHaveLength(3);
      expect(keys[0]).toMatch(/^invocations\/client=a@h\/date=2024-06-01\/[^/]+\.parquet$/);
      expect(readdirSync(dir).sort()).toEqual([MIRROR_MARKER, 'invocations', 'sessions']);
    });

    test('a second sync downloads nothing', async () => {
      const before = mirrored(dir);
      expect(await syncMirror(backend, dir)).toEqual({ downloaded: 0, kept: 3, removed: 0, ignored: 1 });
      expect(mirrored(dir)).toEqual(before);
    });

    test('a new batch is the only download', async () => {
      const before = mirrored(dir);
      const key = await putLakeBatch(backend, 'events', 'c@h', '2024-06-03', []);
      expect(await syncMirror(backend, dir)).toEqual({ downloaded: 1, kept: 3, removed: 0, ignored: 1 });
      expect(mirrored(dir)).toEqual({ ...before, [key]: expect.any(Number) });
    });

    test('a mirrored file of the wrong size (a crash right after its rename can leave one) is fetched again', async () => {
      const [key] = Object.keys(mirrored(dir));
      const size = statSync(join(dir, key!)).size;
      truncateSync(join(dir, key!), 10);
      expect((await syncMirror(backend, dir)).downloaded).toBe(1);
      expect(statSync(join(dir, key!)).size).toBe(size);
    });

    test('a batch gone from the remote leaves the mirror, unless it arrived after the listing began', async () => {
      const extra = join(dir, 'invocations', 'client=gone', 'date=2024-01-01');
      mkdirSync(extra, { recursive: true });
      writeFileSync(join(extra, 'old.parquet'), 'x');
      writeFileSync(join(extra, 'fresh.parquet'), 'x');
      const when = Date.now() / 1000 - 3600;
      utimesSync(join(extra, 'old.parquet'), when, when);
      const result = await syncMirror(backend, dir);
      expect(result.removed).toBe(1);
      expect(readdirSync(extra)).toEqual(['fresh.parquet']);
    });

    test('a batch the last listing named and the remote has dropped since leaves at once, however new its copy', async () => {
      // A forget push withdraws a batch seconds after a query downloaded it: read by its folder,
      // the mirror must not keep serving the forgotten rows.
      const key = await putLakeBatch(backend, 'invocations', 'c@h', '2024-06-03', [invocation({ date: '2024-06-03' })]);
      await syncMirror(backend, dir);
      expect(existsSync(join(dir, key))).toBe(true);
      await backend.remove(key);
      const result = await syncMirror(backend, dir);
      expect(result.removed).toBe(1);
      expect(existsSync(join(dir, key))).toBe(false);
    });
  });
}

test('a mirror made from another source is emptied before it is reused', async () => {
  const dir = join(tempDir('bird-mirror-'), 'r');
  const first = await BACKENDS.file();
  const second = await BACKENDS.file();
  try {
    await putLakeBatch(first, 'invocations', 'a@h', '2024-06-01', [invocation()]);
    await putLakeBatch(second, 'sessions', 'b@h', '2024-06-01', [session()]);
    await syncMirror(first, dir);
    // a blob fetched from the first source (live-blobs.ts): it was checked against that lake's rows
    const blob = join(dir, 'blobs', 'client=a@h', 'ab', `${'ab'.repeat(32)}.gz`);
    mkdirSync(dirname(blob), { recursive: true });
    writeFileSync(blob, 'x');
    age(dir, 3600);
    expect(await syncMirror(second, dir)).toEqual({ downloaded: 1, kept: 0, removed: 0, ignored: 0 });
    expect(Object.keys(mirrored(dir))).toEqual([expect.stringMatching(/^sessions\//)]);
    expect(existsSync(blob)).toBe(false);
  } finally {
    first.close();
    second.close();
  }
});

test('a listing stands for its own source for LISTING_MAX_AGE_MS, while every batch it listed is there, until a push expires it', async () => {
  const layout = tempLayout();
  const dir = mirrorDir(layout, 'team');
  const backend = await BACKENDS.file();
  try {
    const key = await putLakeBatch(backend, 'invocations', 'a@h', '2024-06-01', [invocation()]);
    expect(await mirrorIsFresh(dir, backend.location)).toBe(false); // never listed
    await syncMirror(backend, dir);
    const now = Date.now();
    expect(await mirrorIsFresh(dir, backend.location, now)).toBe(true);
    expect(await mirrorIsFresh(dir, backend.location, now + LISTING_MAX_AGE_MS + 5000)).toBe(false);
    expect(await mirrorIsFresh(dir, backend.location, now - 3_600_000)).toBe(false); // a listing from the future: a clock moved back
    expect(await mirrorIsFresh(dir, 'another source', now)).toBe(false);

    const marker = readFileSync(join(dir, MIRROR_MARKER), 'utf8');
    writeFileSync(join(dir, MIRROR_MARKER), marker.replace(/"listedAt":\d+/, '"listedAt":"soon"'));
    expect(await mirrorIsFresh(dir, backend.location, now)).toBe(false); // damaged: not trusted
    writeFileSync(join(dir, MIRROR_MARKER), marker);

    truncateSync(join(dir, key), 10);
    expect(await mirrorIsFresh(dir, backend.location, now)).toBe(false); // a batch cut short: fetched again
    await syncMirror(backend, dir);
    expect(await mirrorIsFresh(dir, backend.location)).toBe(true);
    await expireMirrorListing(layout, 'team');
    expect(await mirrorIsFresh(dir, backend.location)).toBe(false);
  } finally {
    backend.close();
  }
});
