import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BirdLayout, RemoteConfig } from '@bird/core';
import { closedPort, S3RVER_ENV, setEnv, startS3Server, type S3TestServer } from '@bird/remote/testing';
import { initStore, openStore, type BirdConnection } from './index.ts';
import { createRemoteBackend } from '@bird/remote';
import { LISTING_MAX_AGE_MS, MIRROR_MARKER, mirrorDir } from './remote/mirror.ts';
import type { RemoteBackend } from '@bird/remote';
import { event, fileRemote, invocation, session, tempDir, tempLayout, warningSink, writeConfig, writeLake, writeLocal } from './testing/fixtures.ts';
import { putLakeBatch, s3Remote } from './testing/remote-lake.ts';

/**
 * A store with one local invocation, a file remote `north` (2) and an S3 remote `team-cloud`
 * (3 invocations from two clients, 1 session) on a real S3-compatible server.
 */
let s3: S3TestServer;
let restoreEnv: () => void;
let layout: BirdLayout;
let cloud: RemoteConfig;
let backend: RemoteBackend;

beforeAll(async () => {
  restoreEnv = setEnv(S3RVER_ENV);
  s3 = await startS3Server();
  await s3.createBucket('team-lake');
  layout = tempLayout();
  await initStore(layout, 'parquet');
  const north = tempDir();
  writeLake(north, 'invocations', 'n@a', '2024-06-01', [invocation(), invocation()]);
  cloud = s3Remote('team-cloud', 's3://team-lake/bird/lake', s3.endpoint);
  writeConfig(layout, [fileRemote('north', north), cloud]);
  writeLocal(layout, 'invocations', [invocation()]);
  backend = await createRemoteBackend(cloud);
  await putLakeBatch(backend, 'invocations', 'c1@x', '2024-06-01', [invocation(), invocation()]);
  await putLakeBatch(backend, 'invocations', 'c2@y', '2024-06-02', [invocation({ date: '2024-06-02' })]);
  await putLakeBatch(backend, 'sessions', 'c1@x', '2024-06-01', [session()]);
});

afterAll(async () => {
  backend?.close();
  await s3?.stop();
  restoreEnv?.();
});

async function withConnection<T>(l: BirdLayout, work: (c: BirdConnection, warnings: string[]) => Promise<T>): Promise<T> {
  const sink = warningSink();
  const conn = await openStore(l, { onWarning: sink.onWarning }).connect();
  try {
    return await work(conn, sink.warnings);
  } finally {
    conn.close();
  }
}

const count = async (c: BirdConnection, rel: string) => (await c.query(`SELECT count(*) FROM ${rel}`)).rows[0]![0];
const bySource = async (c: BirdConnection, rel: string) =>
  Object.fromEntries((await c.query(`SELECT _source, count(*) FROM ${rel} GROUP BY ALL ORDER BY 1`)).rows.map((r) => [r[0], r[1]]));

/** Mirrored batch → inode; a batch downloaded again lands by rename and gets a new inode. */
function mirrorInodes(l: BirdLayout, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  const walk = (dir: string, rel: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name), `${rel}${e.name}/`);
      else if (e.name.endsWith('.parquet')) out[`${rel}${e.name}`] = statSync(join(dir, e.name)).ino;
    }
  };
  walk(mirrorDir(l, name), '');
  return out;
}

/** Moves the mirror's last listing `ms` into the past, as if that long had passed since. */
function ageListing(l: BirdLayout, name: string, ms: number): void {
  const marker = join(mirrorDir(l, name), MIRROR_MARKER);
  const parsed = JSON.parse(readFileSync(marker, 'utf8')) as { listedAt: number };
  writeFileSync(marker, JSON.stringify({ ...parsed, listedAt: parsed.listedAt - ms }));
}

describe('an S3 remote', () => {
  test('is attached as remote_<name> with its own _source and every row once', async () => {
    await withConnection(layout, async (c, warnings) => {
      expect(warnings).toEqual([]);
      expect(c.attachedRemotes).toEqual(['north', 'team-cloud']);
      expect(await bySource(c, 'remote_team_cloud.invocations')).toEqual({ 'team-cloud': 3 });
      expect(await bySource(c, 'remote_team_cloud.sessions')).toEqual({ 'team-cloud': 1 });
      expect(await count(c, 'remote_team_cloud.outputs')).toBe(0);
      expect(await count(c, 'remote_team_cloud.events')).toBe(0);
      const cols = (await c.query('SELECT * FROM remote_team_cloud.invocations LIMIT 0')).columns;
      expect(cols.find((col) => col.name === 'timestamp')?.type).toBe('TIMESTAMP WITH TIME ZONE');
    });
  });

  test('is part of remotes_invocations(), next to a file remote, and main.* stays local', async () => {
    await withConnection(layout, async (c) => {
      expect(await bySource(c, 'remotes_invocations()')).toEqual({ north: 2, 'team-cloud': 3 });
      expect(await bySource(c, 'remotes_sessions()')).toEqual({ 'team-cloud': 1 });
      expect(await bySource(c, 'main.invocations')).toEqual({ local: 1 });
    });
  });

  test('is read from a mirror under the BIRD root that a second connect leaves untouched', async () => {
    await withConnection(layout, async () => {});
    const before = mirrorInodes(layout, 'team-cloud');
    expect(Object.keys(before).filter((k) => k.endsWith('.parquet'))).toHaveLength(3);
    expect(Object.keys(before).every((k) => !k.includes('bird-partial'))).toBe(true);
    await withConnection(layout, async (c) => expect(await count(c, 'remote_team_cloud.invocations')).toBe(3));
    expect(mirrorInodes(layout, 'team-cloud')).toEqual(before);
  });

  test('within LISTING_MAX_AGE_MS of its last listing lists nothing; then shows a batch pushed since, downloading only that batch', async () => {
    const before = mirrorInodes(layout, 'team-cloud');
    const key = await putLakeBatch(backend, 'events', 'c2@y', '2024-06-02', [event({ date: '2024-06-02' }), event({ date: '2024-06-02' })]);
    // Listed by the tests above, under a minute ago: the remote is not asked, so the new batch is not seen yet.
    await withConnection(layout, async (c) => expect(await count(c, 'remote_team_cloud.events')).toBe(0));
    ageListing(layout, 'team-cloud', LISTING_MAX_AGE_MS + 1000);
    await withConnection(layout, async (c) => {
      expect(await bySource(c, 'remote_team_cloud.events')).toEqual({ 'team-cloud': 2 });
      expect(await bySource(c, 'remotes_events()')).toEqual({ 'team-cloud': 2 });
    });
    expect(mirrorInodes(layout, 'team-cloud')).toEqual({ ...before, [key]: expect.any(Number) });
  });

  test('a mirrored batch deleted within LISTING_MAX_AGE_MS of the listing is fetched again by the next connect', async () => {
    const gone = Object.keys(mirrorInodes(layout, 'team-cloud')).find((k) => k.startsWith('invocations/'))!;
    rmSync(join(mirrorDir(layout, 'team-cloud'), gone));
    await withConnection(layout, async (c) => expect(await count(c, 'remote_team_cloud.invocations')).toBe(3));
    expect(Object.keys(mirrorInodes(layout, 'team-cloud'))).toContain(gone);
  });

  test('a batch it holds that DuckDB cannot read is skipped with a warning naming the remote', async () => {
    const l = tempLayout();
    await initStore(l);
    const r = s3Remote('broken', 's3://team-lake/broken', s3.endpoint);
    writeConfig(l, [r]);
    const b = await createRemoteBackend(r);
    try {
      await putLakeBatch(b, 'invocations', 'c@x', '2024-06-01', [invocation()]);
      const junk = join(tempDir(), 'junk.parquet');
      writeFileSync(junk, 'not parquet at all');
      await b.put('invocations/client=c@x/date=2024-06-01/zz-junk.parquet', junk);
    } finally {
      b.close();
    }
    await withConnection(l, async (c) => {
      const res = await c.query('SELECT count(*) FROM remote_broken.invocations');
      expect(res.rows[0]![0]).toBe(1);
      expect(res.warnings).toEqual([expect.stringMatching(/^skipped bad file .*zz-junk\.parquet of remote broken \(.*\); if the remote's own object is sound, delete this copy and the next command fetches it again\.$/)]);
    });
  });
});

describe('an S3 remote that cannot be read', () => {
  async function connectWith(remote: RemoteConfig): Promise<{ attached: readonly string[]; warnings: string[]; local: unknown; remotes: unknown }> {
    const l = tempLayout();
    await initStore(l);
    writeLocal(l, 'invocations', [invocation(), invocation()]);
    writeConfig(l, [remote]);
    return withConnection(l, async (c, warnings) => ({
      attached: c.attachedRemotes,
      warnings,
      local: await count(c, 'main.invocations'),
      remotes: await count(c, 'remotes_invocations()'),
    }));
  }

  test('an unreachable endpoint: one warning naming the remote and what to check; the connection works', async () => {
    const port = await closedPort();
    const result = await connectWith(s3Remote('far', 's3://team-lake/bird/lake', `http://127.0.0.1:${port}`));
    expect(result).toEqual({
      attached: [],
      warnings: [`remote far not attached: http://127.0.0.1:${port} is not reachable (ECONNREFUSED); check the remote's endpoint and your network.`],
      local: 2,
      remotes: 0,
    });
  }, 30_000);

  test('a missing bucket: the warning names the bucket', async () => {
    const result = await connectWith(s3Remote('nobucket', 's3://no-such-bucket/lake', s3.endpoint));
    expect(result.attached).toEqual([]);
    expect(result.warnings).toEqual([`remote nobucket not attached: bucket no-such-bucket does not exist at ${s3.endpoint}; check the remote's uri.`]);
    expect(result.local).toBe(2);
  });

  test('refused credentials: the warning says to check them', async () => {
    const restore = setEnv({ AWS_ACCESS_KEY_ID: 'NOT-A-KEY' });
    try {
      const result = await connectWith(s3Remote('denied', 's3://team-lake/bird/lake', s3.endpoint));
      expect(result.attached).toEqual([]);
      expect(result.warnings).toHaveLength(1);
      expect(result.warnings[0]).toMatch(/^remote denied not attached: s3:\/\/team-lake\/bird\/lake\/ at http:\/\/127\.0\.0\.1:\d+ refused access \(InvalidAccessKeyId\); check the AWS credentials/);
      expect(result.remotes).toBe(0);
    } finally {
      restore();
    }
  });

  test('a uri that is not s3://bucket/prefix: the warning says how to write it', async () => {
    const result = await connectWith(s3Remote('typo', 's3:/team-lake', s3.endpoint));
    expect(result.warnings).toEqual(['remote typo not attached: an s3 remote\'s uri must look like s3://bucket or s3://bucket/prefix (bucket: 3-63 lower-case letters, digits, "." or "-"), not "s3:/team-lake".']);
  });
});
