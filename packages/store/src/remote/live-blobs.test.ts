import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createRemoteBackend } from '@bird/remote';
import { closedPort, remoteConfig, useTestBackends } from '@bird/remote/testing';
import { tempDir, tempLayout } from '../testing/fixtures.ts';
import { blobsNamedByBatches, blobsNamedInLake, cachedBlobKeys, fetchBlobsInto, pruneCachedBlobs, type SeriesBlob } from './live-blobs.ts';

const { make: BACKENDS } = useTestBackends();

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const H = sha('hello\n');
const REF = `${H.slice(0, 2)}/${H}.gz`;
const BATCH = '/m/outputs/client=a@b/date=2024-06-01/x.parquet';

describe('blobsNamedInLake', () => {
  it.each<[string, [string, string][], string[]]>([
    ['a row of an outputs batch names its series\' blob', [[BATCH, REF]], [`blobs/client=a@b/${REF}`]],
    ['the same blob twice is one', [[BATCH, REF], ['/m/outputs/client=a@b/date=2024-06-02/y.parquet', REF]], [`blobs/client=a@b/${REF}`]],
    ['two series, two keys', [[BATCH, REF], ['/m/outputs/client=c@d/date=2024-06-01/x.parquet', REF]], [`blobs/client=a@b/${REF}`, `blobs/client=c@d/${REF}`]],
    ['a ref that is not a blob name', [[BATCH, '../../etc/passwd'], [BATCH, `${H.slice(0, 2)}/${H.toUpperCase()}.gz`], [BATCH, `00/${H}.gz`]], []],
    ['a file outside the lake', [['/elsewhere/outputs/client=a@b/date=2024-06-01/x.parquet', REF]], []],
    ['a file of another table', [['/m/invocations/client=a@b/date=2024-06-01/x.parquet', REF]], []],
    ['a series no key may hold', [['/m/outputs/client=a*b/date=2024-06-01/x.parquet', REF], ['/m/outputs/client=/date=2024-06-01/x.parquet', REF], ['/m/outputs/client=../date=2024-06-01/x.parquet', REF]], []],
  ])('%s', (_, rows, keys) => {
    expect([...blobsNamedInLake('/m', rows).keys()]).toEqual(keys);
  });
});

describe('fetchBlobsInto', () => {
  it.each(['file', 's3'] as const)('keeps what hashes to its name and refuses the rest, each on its own (%s)', async (kind) => {
    const backend = await BACKENDS[kind]();
    const layout = tempLayout();
    const dir = tempDir('bird-mirror-');
    const put = async (key: string, bytes: Buffer) => {
      const file = join(tempDir('bird-put-'), 'o');
      writeFileSync(file, bytes);
      await backend.put(key, file);
    };
    const blob = (text: string, client = 'a@b'): [string, SeriesBlob] => [`blobs/client=${client}/${sha(text).slice(0, 2)}/${sha(text)}.gz`, { client, hash: sha(text) }];
    const good = blob('good\n');
    const wrong = blob('wrong\n');
    const notGzip = blob('plain\n');
    const missing = blob('never pushed\n');
    await put(good[0], gzipSync('good\n'));
    await put(wrong[0], gzipSync('other bytes\n'));
    await put(notGzip[0], Buffer.from('plain\n'));
    try {
      const result = await fetchBlobsInto(layout, backend, dir, new Map([good, wrong, notGzip, missing]));
      expect(result.fetched).toBe(1);
      expect([...result.refused].sort()).toEqual(
        [`${wrong[0]} (its bytes do not hash to its name)`, `${notGzip[0]} (it is not a whole gzip file within the size cap)`, `${missing[0]} (not in the lake)`].sort(),
      );
      expect(readFileSync(join(dir, good[0]))).toEqual(gzipSync('good\n'));
      expect(cachedBlobKeys(dir)).toEqual([good[0]]);
      // Cached: not asked for again.
      expect(await fetchBlobsInto(layout, backend, dir, new Map([good]))).toEqual({ fetched: 0, refused: [], notTried: 0 });
    } finally {
      backend.close();
    }
  });
});

describe('blobsNamedByBatches', () => {
  it('reads the batches alone when one read of them all fails: a damaged one names nothing, the others their blobs', async () => {
    const other = '/m/outputs/client=a@b/date=2024-06-02/damaged.parquet';
    const asked: number[] = [];
    const query = async (sql: string) => {
      const files = sql.match(/'\/m\/[^']+'/g) ?? [];
      asked.push(files.length);
      if (sql.includes('damaged')) throw new Error('Invalid Input Error: No magic bytes found at end of file');
      return [[BATCH, REF]];
    };
    expect([...(await blobsNamedByBatches(query, '/m', [BATCH, other])).keys()]).toEqual([`blobs/client=a@b/${REF}`]);
    expect(asked).toEqual([2, 1, 1]);
    expect((await blobsNamedByBatches(query, '/m', [])).size).toBe(0);
  });
});

describe('fetchBlobsInto, the remote down', () => {
  it('stops at the first failure that says the remote cannot be read, and counts what it did not try', async () => {
    const backend = await createRemoteBackend(remoteConfig({ type: 's3', uri: 's3://lake/x', endpoint: `http://127.0.0.1:${await closedPort()}` }));
    const blobs = new Map(Array.from({ length: 20 }, (_, i): [string, SeriesBlob] => [`blobs/client=a@b/${sha(`${i}`).slice(0, 2)}/${sha(`${i}`)}.gz`, { client: 'a@b', hash: sha(`${i}`) }]));
    try {
      const { fetched, refused, notTried } = await fetchBlobsInto(tempLayout(), backend, tempDir('bird-mirror-'), blobs);
      expect(fetched).toBe(0);
      expect([refused.length, notTried]).toEqual([8, 12]);
      expect(refused.every((r) => /\(http:\/\/127\.0\.0\.1:\d+ is not reachable \(ECONNREFUSED\)/.test(r))).toBe(true);
    } finally {
      backend.close();
    }
  });
});

describe('pruneCachedBlobs', () => {
  it('drops the cached blobs no row names, and leaves what is not a blob alone', () => {
    const dir = tempDir('bird-mirror-');
    const keys = [`blobs/client=a@b/${REF}`, `blobs/client=c@d/${REF}`];
    const stray = join(dir, 'blobs', 'client=a@b', H.slice(0, 2), 'notes.txt');
    for (const path of [...keys.map((k) => join(dir, k)), stray]) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, 'x');
    }
    expect(pruneCachedBlobs(dir, new Set([keys[1]!]))).toBe(1);
    expect(cachedBlobKeys(dir)).toEqual([keys[1]]);
    expect(existsSync(stray)).toBe(true);
    expect(pruneCachedBlobs(tempDir('bird-mirror-'), new Set())).toBe(0);
  });
});
