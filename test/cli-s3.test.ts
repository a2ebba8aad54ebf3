// End to end: the built `bird` bundle (which loads the AWS SDK from node_modules, not from the
// bundle) reading an S3 remote on a real S3-compatible server.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRemoteBackend } from '@bird/remote';
import { invocation } from '../packages/store/src/testing/fixtures.ts';
import { putLakeBatch, s3Remote } from '../packages/store/src/testing/remote-lake.ts';
import { buildBundles, expectOneLineError, sandboxFactory } from './cli-helpers.ts';
import { S3RVER_ENV, setEnv, startS3Server, type S3TestServer } from '@bird/remote/testing';

let s3: S3TestServer;
const sandbox = sandboxFactory();

beforeAll(async () => {
  buildBundles();
  s3 = await startS3Server();
  await s3.createBucket('team-bucket');
});
afterAll(async () => s3?.stop());

it('bird remote add --type s3, then bird sql reads remote_<name> and remotes_invocations()', async () => {
  const s = sandbox();
  const env = { ...S3RVER_ENV };
  const restoreEnv = setEnv(env); // the test's own client reads credentials like bird does
  const backend = await createRemoteBackend(s3Remote('team', 's3://team-bucket/lake', s3.endpoint));
  try {
    await putLakeBatch(backend, 'invocations', 'bob@laptop', '2024-06-01', [invocation({ cmd: 'make deploy' }), invocation({ cmd: 'make test' })]);
  } finally {
    backend.close();
    restoreEnv();
  }
  expect(s.bird(['init'], { env }).code).toBe(0);
  expect(s.bird(['remote', 'add', 'team', '--type', 's3', '--uri', 's3://team-bucket/lake', '--endpoint', s3.endpoint], { env }).code).toBe(0);

  const live = s.bird(['sql', 'SELECT cmd, _source FROM remote_team.invocations ORDER BY cmd', '--format', 'csv'], { env });
  expect(live.stderr).toBe('');
  expect(live.stdout).toBe('cmd,_source\nmake deploy,team\nmake test,team\n');
  const all = s.bird(['sql', 'SELECT count(*) AS n FROM remotes_invocations()', '--format', 'csv'], { env });
  expect(all.stdout).toBe('n\n2\n');
});

it('an s3 remote added with --no-auto-attach is read with bird sql --attach, and named in one sentence without it', async () => {
  const s = sandbox();
  const env = { ...S3RVER_ENV };
  const restoreEnv = setEnv(env);
  const backend = await createRemoteBackend(s3Remote('backup', 's3://team-bucket/backup', s3.endpoint));
  try {
    await putLakeBatch(backend, 'invocations', 'old@box', '2024-06-01', [invocation({ cmd: 'restore db' })]);
  } finally {
    backend.close();
    restoreEnv();
  }
  expect(s.bird(['init'], { env }).code).toBe(0);
  expect(s.bird(['remote', 'add', 'backup', '--type', 's3', '--uri', 's3://team-bucket/backup', '--endpoint', s3.endpoint, '--no-auto-attach'], { env }).code).toBe(0);

  expectOneLineError(s.bird(['sql', 'SELECT cmd FROM remote_backup.invocations'], { env }), 1, /^bird: remote backup is not attached \(auto_attach = false in config\.toml\); run the query with `bird sql --attach backup`\.$/);
  const attached = s.bird(['sql', '--attach', 'backup', 'SELECT cmd, _source FROM remotes_invocations()', '--format', 'csv'], { env });
  expect(attached.stderr).toBe('');
  expect(attached.stdout).toBe('cmd,_source\nrestore db,backup\n');
});
