import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { closedPort, setEnv } from './testing/s3-server.ts';
import { remoteConfig, useTestBackends } from './testing/backends.ts';

const tempDir = (prefix = 'bird-lake-') => mkdtempSync(join(tmpdir(), prefix));
import { createRemoteBackend } from './create-remote-backend.ts';
import { RemoteAccessError, type RemoteBackend } from './remote-backend.ts';

const { make: BACKENDS, s3 } = useTestBackends();
const remote = remoteConfig;

async function withBackend<T>(make: () => Promise<RemoteBackend>, work: (b: RemoteBackend) => Promise<T>): Promise<T> {
  const backend = await make();
  try {
    return await work(backend);
  } finally {
    backend.close();
  }
}

function localFile(bytes: string | Buffer): string {
  const path = join(tempDir('bird-src-'), 'f.bin');
  writeFileSync(path, bytes);
  return path;
}

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => (error instanceof RemoteAccessError ? error.failure : `not a RemoteAccessError: ${String(error)}`),
  );

for (const [kind, make] of Object.entries(BACKENDS)) {
  describe(`the ${kind} backend`, () => {
    test('lists what was put, sorted by key, with sizes, relative to the remote root', async () => {
      await withBackend(make, async (b) => {
        await b.put('invocations/client=b@h/date=2024-06-02/2.parquet', localFile('bb'));
        await b.put('invocations/client=a@h/date=2024-06-01/1.parquet', localFile('a'));
        await b.put('sessions/client=a@h/date=2024-06-01/3.parquet', localFile('ccc'));
        const all = await b.list('');
        expect(all.map((o) => [o.key, o.size])).toEqual([
          ['invocations/client=a@h/date=2024-06-01/1.parquet', 1],
          ['invocations/client=b@h/date=2024-06-02/2.parquet', 2],
          ['sessions/client=a@h/date=2024-06-01/3.parquet', 3],
        ]);
        for (const o of all) expect(o.etag).not.toBe('');
      });
    });

    test('an object rewritten with bytes of the same size gets another etag (a head pushed twice within one second)', async () => {
      await withBackend(make, async (b) => {
        // A share whose clock has a resolution of seconds: both writes carry the same mtime.
        const sameSecond = async () => {
          if (kind !== 'file') return;
          const root = (b as unknown as { config: { root: string } }).config.root;
          const second = new Date(Math.floor(Date.now() / 1000) * 1000);
          utimesSync(join(root, '_bird/heads/a@h.json'), second, second);
        };
        await b.put('_bird/heads/a@h.json', localFile('{"seq":1}'));
        await sameSecond();
        const [before] = await b.list('_bird/heads/');
        await b.put('_bird/heads/a@h.json', localFile('{"seq":2}'));
        await sameSecond();
        const [after] = await b.list('_bird/heads/');
        expect(after!.size).toBe(before!.size);
        expect(after!.etag).not.toBe(before!.etag);
      });
    });

    test('get refuses an object larger than maxBytes before reading it', async () => {
      await withBackend(make, async (b) => {
        await b.put('_bird/heads/big.json', localFile('x'.repeat(5000)));
        const dest = join(tempDir('bird-get-'), 'big.json');
        expect(await failureOf(b.get('_bird/heads/big.json', dest, { maxBytes: 4096 }))).toBe('too-large');
        expect(existsSync(dest)).toBe(false);
        expect(await b.get('_bird/heads/big.json', dest, { maxBytes: 5000 })).toBe(5000);
      });
    });

    test('lists only keys under the prefix, also when the prefix ends mid-name', async () => {
      await withBackend(make, async (b) => {
        await b.put('invocations/client=a/date=1/x.parquet', localFile('x'));
        await b.put('invocations/client=ab/date=1/y.parquet', localFile('y'));
        await b.put('sessions/client=a/date=1/z.parquet', localFile('z'));
        expect((await b.list('invocations/')).map((o) => o.key)).toEqual(['invocations/client=a/date=1/x.parquet', 'invocations/client=ab/date=1/y.parquet']);
        expect((await b.list('invocations/client=a/')).map((o) => o.key)).toEqual(['invocations/client=a/date=1/x.parquet']);
        expect((await b.list('sess')).map((o) => o.key)).toEqual(['sessions/client=a/date=1/z.parquet']);
        expect(await b.list('events/')).toEqual([]);
      });
    });

    test('gets an object into a local file, byte for byte, leaving no partial file', async () => {
      await withBackend(make, async (b) => {
        const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
        await b.put('outputs/client=a/date=1/big.parquet', localFile(bytes));
        const dir = join(tempDir('bird-dest-'), 'deep', 'er');
        expect(await b.get('outputs/client=a/date=1/big.parquet', join(dir, 'big.parquet'))).toBe(bytes.length);
        expect(readFileSync(join(dir, 'big.parquet')).equals(bytes)).toBe(true);
        expect(readdirSync(dir)).toEqual(['big.parquet']);
      });
    });

    test('a missing key is a missing-object failure and leaves the destination as it was', async () => {
      await withBackend(make, async (b) => {
        await b.put('events/client=a/date=1/e.parquet', localFile('e'));
        const dir = tempDir('bird-dest-');
        writeFileSync(join(dir, 'keep.parquet'), 'old');
        expect(await failureOf(b.get('events/client=a/date=1/nope.parquet', join(dir, 'keep.parquet')))).toBe('missing-object');
        expect(readFileSync(join(dir, 'keep.parquet'), 'utf8')).toBe('old');
        expect(readdirSync(dir)).toEqual(['keep.parquet']);
      });
    });

    test('removes an object, leaves its neighbours, and removing a missing key is not an error', async () => {
      await withBackend(make, async (b) => {
        await b.put('_bird/probe/a.txt', localFile('a'));
        await b.put('_bird/probe/ab.txt', localFile('ab'));
        await b.remove('_bird/probe/a.txt');
        expect((await b.list('')).map((o) => o.key)).toEqual(['_bird/probe/ab.txt']);
        await b.remove('_bird/probe/a.txt');
        await b.remove('never/was/there.txt');
        await b.remove('_bird/probe/ab.txt/below');
        expect(await failureOf(b.get('_bird/probe/a.txt', join(tempDir(), 'x')))).toBe('missing-object');
        await b.remove('_bird/probe/ab.txt');
        expect(await b.list('')).toEqual([]);
      });
    });

    test('keys that could leave the root are refused', async () => {
      await withBackend(make, async (b) => {
        for (const key of ['../x.parquet', 'a/../../x', 'a//b', '', 'a\\b']) {
          expect(await failureOf(b.put(key, localFile('x')))).toBe('bad-config');
          expect(await failureOf(b.get(key, join(tempDir(), 'x')))).toBe('bad-config');
          expect(await failureOf(b.remove(key))).toBe('bad-config');
        }
      });
    });
  });
}

describe('a remote that is not there', () => {
  test('file: a missing folder is a no-store failure naming the folder', async () => {
    await withBackend(() => createRemoteBackend(remote({ uri: '/dev/null/lake' })), async (b) => {
      const error = await b.list('').catch((e: RemoteAccessError) => e);
      expect(error).toBeInstanceOf(RemoteAccessError);
      expect((error as RemoteAccessError).failure).toBe('no-store');
      expect((error as Error).message).toMatch(/^\/dev\/null\/lake is not reachable .*; check /);
    });
  });

  test('file: removing from a missing folder is a no-store failure, not a silent success', async () => {
    await withBackend(() => createRemoteBackend(remote({ uri: '/dev/null/lake' })), async (b) => {
      expect(await failureOf(b.remove('_bird/x.txt'))).toBe('no-store');
    });
  });

  test('s3: removing from a missing bucket is a no-store failure', async () => {
    await withBackend(() => createRemoteBackend(remote({ type: 's3', uri: 's3://no-such-bucket/x', endpoint: s3().endpoint })), async (b) => {
      expect(await failureOf(b.remove('_bird/x.txt'))).toBe('no-store');
    });
  });

  test('s3: a missing bucket is a no-store failure naming the bucket', async () => {
    await withBackend(() => createRemoteBackend(remote({ type: 's3', uri: 's3://no-such-bucket/x', endpoint: s3().endpoint })), async (b) => {
      const error = await b.list('').catch((e: RemoteAccessError) => e);
      expect((error as RemoteAccessError).failure).toBe('no-store');
      expect((error as Error).message).toMatch(/^bucket no-such-bucket does not exist at http:\/\/127\.0\.0\.1:\d+; check the remote's uri\.$/);
    });
  });

  test('s3: refused credentials are a denied failure that says to check them', async () => {
    const restore = setEnv({ AWS_ACCESS_KEY_ID: 'WRONG', AWS_SECRET_ACCESS_KEY: 'WRONG' });
    try {
      await withBackend(() => createRemoteBackend(remote({ type: 's3', uri: 's3://lake/x', endpoint: s3().endpoint })), async (b) => {
        const error = await b.list('').catch((e: RemoteAccessError) => e);
        expect((error as RemoteAccessError).failure).toBe('denied');
        expect((error as Error).message).toMatch(/refused access \(InvalidAccessKeyId\); check the AWS credentials/);
      });
    } finally {
      restore();
    }
  });

  test('s3: no credentials anywhere is a no-credentials failure that says which variables to set', async () => {
    const none = tempDir('bird-no-aws-');
    const restore = setEnv({ AWS_SHARED_CREDENTIALS_FILE: join(none, 'credentials'), AWS_CONFIG_FILE: join(none, 'config') });
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY, profile: process.env.AWS_PROFILE };
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    delete process.env.AWS_PROFILE;
    try {
      await withBackend(() => createRemoteBackend(remote({ type: 's3', uri: 's3://lake/x', endpoint: s3().endpoint })), async (b) => {
        const error = await b.list('').catch((e: RemoteAccessError) => e);
        expect((error as RemoteAccessError).failure).toBe('no-credentials');
        expect((error as Error).message).toMatch(/^found no AWS credentials for s3:\/\/lake\/x\/ at .*; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE\.$/);
      });
    } finally {
      restore();
      Object.assign(process.env, { AWS_ACCESS_KEY_ID: saved.id, AWS_SECRET_ACCESS_KEY: saved.secret });
      if (saved.profile !== undefined) process.env.AWS_PROFILE = saved.profile;
    }
  });

  test('s3: a closed port is an unreachable failure', async () => {
    const port = await closedPort();
    await withBackend(() => createRemoteBackend(remote({ type: 's3', uri: 's3://lake/x', endpoint: `http://127.0.0.1:${port}` })), async (b) => {
      const error = await b.list('').catch((e: RemoteAccessError) => e);
      expect((error as RemoteAccessError).failure).toBe('unreachable');
      expect((error as Error).message).toBe(`http://127.0.0.1:${port} is not reachable (ECONNREFUSED); check the remote's endpoint and your network.`);
    });
  });

  test('s3: a server that accepts but never answers is given up on, not waited for', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const make = () => createRemoteBackend(remote({ type: 's3', uri: 's3://lake/x', endpoint: `http://127.0.0.1:${port}` }), { timeoutMs: 300 });
      await withBackend(make, async (b) => {
        expect(await failureOf(b.list(''))).toBe('unreachable');
      });
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  }, 20_000);
});

describe('s3 listing', () => {
  test('pages through more than 1000 objects', async () => {
    await withBackend(BACKENDS.s3, async (b) => {
      const src = localFile('x');
      const keys = Array.from({ length: 1005 }, (_, i) => `invocations/client=a/date=1/${String(i).padStart(5, '0')}.parquet`);
      for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((k) => b.put(k, src)));
      const listed = await b.list('invocations/');
      expect(listed).toHaveLength(1005);
      expect(listed.map((o) => o.key)).toEqual(keys);
    });
  }, 120_000);
});

test('the file backend writes objects through a hidden partial file and never lists one', async () => {
  const root = tempDir();
  await withBackend(() => createRemoteBackend(remote({ uri: root })), async (b) => {
    mkdirSync(join(root, 'invocations', 'client=a', 'date=1'), { recursive: true });
    writeFileSync(join(root, 'invocations', 'client=a', 'date=1', '.x.parquet.123.bird-partial'), 'half');
    await b.put('invocations/client=a/date=1/x.parquet', localFile('whole'));
    expect((await b.list('')).map((o) => o.key)).toEqual(['invocations/client=a/date=1/x.parquet']);
    expect(existsSync(join(root, 'invocations', 'client=a', 'date=1', 'x.parquet'))).toBe(true);
  });
});
