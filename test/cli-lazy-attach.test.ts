// `bird sql` attaches a remote only for a query that reads it: `remote_<name>` attaches that one,
// `remotes_*()` all of them, and a query naming none reaches none (an unreachable one costs no
// warning and no wait). Through the built bundle, a file lake and the real S3-compatible server.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRemoteBackend } from '@bird/remote';
import { closedPort, S3RVER_ENV, setEnv, startS3Server, type S3TestServer } from '@bird/remote/testing';
import { invocation, tempDir, writeLake } from '../packages/store/src/testing/fixtures.ts';
import { putLakeBatch, s3Remote } from '../packages/store/src/testing/remote-lake.ts';
import { at, buildBundles, sandboxFactory, type Sandbox } from './cli-helpers.ts';

let s3: S3TestServer;
let s: Sandbox;
const env = { ...S3RVER_ENV };
const sandbox = sandboxFactory();

/** Puts one batch of `cmds` into the S3 lake `s3://team-bucket/cloud` as client `who`. */
async function pushToCloud(who: string, cmds: string[]): Promise<void> {
  const restoreEnv = setEnv(env);
  const backend = await createRemoteBackend(s3Remote('cloud', 's3://team-bucket/cloud', s3.endpoint));
  try {
    await putLakeBatch(backend, 'invocations', who, '2024-06-01', cmds.map((cmd) => invocation({ cmd })));
  } finally {
    backend.close();
    restoreEnv();
  }
}

const mirrored = (name: string) => existsSync(join(s.root, 'db', 'mirror', name));

beforeAll(async () => {
  buildBundles();
  s3 = await startS3Server();
  await s3.createBucket('team-bucket');
  await pushToCloud('carol@c', ['cloud one', 'cloud two']);
  s = sandbox();
  s.capture({ cmd: 'ls', exit: 0, startUs: at(0) });
  const team = tempDir('bird-lazy-team-');
  writeLake(team, 'invocations', 'bob@laptop', '2024-06-01', [invocation({ cmd: 'team one' })]);
  const add = (...args: string[]) => expect(s.bird(['remote', 'add', ...args], { env }).code).toBe(0);
  add('team', '--type', 'file', '--uri', team, '--read-only');
  add('cloud', '--type', 's3', '--uri', 's3://team-bucket/cloud', '--endpoint', s3.endpoint, '--read-only');
  add('far', '--type', 's3', '--uri', 's3://team-bucket/far', '--endpoint', `http://127.0.0.1:${await closedPort()}`, '--read-only');
});
afterAll(async () => s3?.stop());

const csv = (query: string) => {
  const run = s.bird(['sql', '--format', 'csv', query], { env });
  expect(run.code).toBe(0);
  return run;
};

it('a query that names no remote reaches none: no warning for the unreachable one, no S3 mirror made', () => {
  expect(csv('SELECT 1 AS one')).toEqual({ code: 0, stdout: 'one\n1\n', stderr: '' });
  expect(csv('SELECT count(*) AS n FROM main.invocations')).toEqual({ code: 0, stdout: 'n\n1\n', stderr: '' });
  expect(mirrored('cloud')).toBe(false);
});

it('a query that names remote_<name> attaches that remote only', () => {
  expect(csv('SELECT cmd, _source FROM remote_team.invocations')).toEqual({ code: 0, stdout: 'cmd,_source\nteam one,team\n', stderr: '' });
  expect(mirrored('cloud')).toBe(false);
  expect(csv('SELECT count(*) AS n FROM "REMOTE_CLOUD".invocations')).toEqual({ code: 0, stdout: 'n\n2\n', stderr: '' });
});

it('remotes_invocations() still reads every remote; the unreachable one is warned of once', () => {
  const run = csv('SELECT _source, count(*) AS n FROM remotes_invocations() GROUP BY 1 ORDER BY 1');
  expect(run.stdout).toBe('_source,n\ncloud,2\nteam,1\n');
  expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^bird: warning: remote far not attached: /)]);
});

it('a query naming the unreachable remote is told why it is not attached (exit 1)', () => {
  const run = s.bird(['sql', 'SELECT count(*) FROM remote_far.invocations'], { env });
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/remote far not attached/);
});

it('a name built inside query() still finds its remote', () => {
  expect(csv("SELECT * FROM query('SELECT count(*) AS n FROM remote_' || 'team.invocations')").stdout).toBe('n\n1\n');
});

it('a repeated query within the listing time does not list the S3 remote again', async () => {
  expect(csv('SELECT count(*) AS n FROM remote_cloud.invocations').stdout).toBe('n\n2\n');
  await pushToCloud('dave@d', ['cloud three']);
  // Listed under a minute ago (LISTING_MAX_AGE_MS): the new batch is not seen until the listing ages.
  expect(csv('SELECT count(*) AS n FROM remote_cloud.invocations').stdout).toBe('n\n2\n');
});
