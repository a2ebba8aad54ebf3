// `bird remote test NAME` against real remotes: a folder, and a bucket on a real s3rver.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRemoteBackend } from '@bird/remote';
import { closedPort, remoteConfig, S3RVER_ENV, setEnv, useTestBackends } from '@bird/remote/testing';
import { runCli } from './cli.ts';
import type { CliContext, Output } from './context.ts';

const { s3 } = useTestBackends();
const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A BIRD_ROOT of its own; `bird` runs in-process through runCli, as main.ts runs it. */
function sandbox() {
  const root = join(tempDir('bird-remote-test-'), 'root');
  const bird = async (...argv: string[]): Promise<Run> => {
    const out: string[] = [];
    const err: string[] = [];
    const sink = (into: string[]): Output => ({ write: (t) => void into.push(t), isTTY: false, columns: undefined });
    const ctx: CliContext = { env: { ...process.env, BIRD_ROOT: root, BIRD_CLIENT_ID: 'tester@box' }, stdout: sink(out), stderr: sink(err), cwd: root };
    const code = await runCli(argv, ctx);
    return { code, stdout: out.join(''), stderr: err.join('') };
  };
  const add = async (...argv: string[]) => {
    const r = await bird('remote', 'add', ...argv);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  };
  return { root, bird, add };
}

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

const UNREACHABLE_SKIPS = 'skip  credentials: the remote is not reachable\nskip  write: the remote is not reachable\n';
/** A remote that is never written says so, not that it could not be reached, for the write it did not try. */
const NEVER_WRITTEN_SKIPS = {
  readOnly: 'skip  credentials: the remote is not reachable\nskip  write: the remote is read_only\n',
  database: 'skip  credentials: the remote is not reachable\nskip  write: a .duckdb remote is never written (push needs a folder or prefix uri)\n',
};

/** Runs `body` with no AWS credentials anywhere the SDK looks: no variables, no credentials or config file. */
async function withoutAwsCredentials<T>(body: () => Promise<T>): Promise<T> {
  const none = tempDir('bird-no-aws-');
  const restore = setEnv({ AWS_SHARED_CREDENTIALS_FILE: join(none, 'credentials'), AWS_CONFIG_FILE: join(none, 'config') });
  const saved = { AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY, AWS_PROFILE: process.env.AWS_PROFILE };
  for (const name of Object.keys(saved)) delete process.env[name];
  try {
    return await body();
  } finally {
    restore();
    for (const [name, value] of Object.entries(saved)) if (value !== undefined) process.env[name] = value;
  }
}
const failedLine = (name: string, check: string) =>
  `bird: remote "${name}" failed the ${check} check; fix what the FAIL line says, then run \`bird remote test ${name}\` again.\n`;

let seq = 0;
const prefix = () => `s3://lake/rt${++seq}`;

describe('bird remote test, file remotes', () => {
  it('a read_write folder passes every check and keeps no probe object', async () => {
    const { add, bird } = sandbox();
    const lake = tempDir('bird-lake-');
    writeFileSync(join(lake, 'keep.txt'), 'x');
    await add('team', '--type', 'file', '--uri', lake);
    const r = await bird('remote', 'test', 'team');
    expect(r).toEqual({
      code: 0,
      stdout: `ok    reachable: ${lake}\nok    credentials: none needed; the folder can be read\nok    write: stored and removed a probe object under _bird/\nok    index: none yet (no bird has pushed here; pulls list the lake)\n`,
      stderr: '',
    });
    expect(filesUnder(lake)).toEqual(['keep.txt']);
  });

  it('a missing folder fails reachability, skips the rest, and exits 1', async () => {
    const { add, bird } = sandbox();
    // `remote add` refuses a missing folder: this one goes after it was added (a share unmounted since).
    const lake = join(tempDir('bird-lake-'), 'unmounted', 'not-there');
    mkdirSync(lake, { recursive: true });
    await add('team', '--type', 'file', '--uri', lake);
    rmSync(join(lake, '..'), { recursive: true });
    const r = await bird('remote', 'test', 'team');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`FAIL  reachable: ${lake} is not reachable (ENOENT); check the remote's path and that it is mounted.\n${UNREACHABLE_SKIPS}`);
    expect(r.stderr).toBe(failedLine('team', 'reachable'));
  });

  it('a read_only folder that is not there says the write is skipped because it is read_only', async () => {
    const { add, bird } = sandbox();
    const lake = join(tempDir('bird-lake-'), 'mirror');
    mkdirSync(lake);
    await add('mirror', '--type', 'file', '--uri', lake, '--read-only');
    rmSync(lake, { recursive: true });
    const r = await bird('remote', 'test', 'mirror');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`FAIL  reachable: ${lake} is not reachable (ENOENT); check the remote's path and that it is mounted.\n${NEVER_WRITTEN_SKIPS.readOnly}`);
  });

  it('a read_only folder skips the write check and writes nothing', async () => {
    const { add, bird } = sandbox();
    const lake = tempDir('bird-lake-');
    await add('mirror', '--type', 'file', '--uri', lake, '--read-only');
    const r = await bird('remote', 'test', 'mirror');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`ok    reachable: ${lake}\nok    credentials: none needed; the folder can be read\nskip  write: the remote is read_only\nok    index: none yet (no bird has pushed here; pulls list the lake)\n`);
    expect(readdirSync(lake)).toEqual([]);
  });

  it.skipIf(process.getuid?.() === 0)('a folder that cannot be written fails the write check', async () => {
    const { add, bird } = sandbox();
    const lake = tempDir('bird-lake-');
    mkdirSync(join(lake, '_bird'));
    chmodSync(join(lake, '_bird'), 0o500);
    try {
      await add('team', '--type', 'file', '--uri', lake);
      const r = await bird('remote', 'test', 'team');
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^ok {4}reachable: .*\nok {4}credentials: .*\nFAIL  write: cannot write .*_bird\/probe\/tester@box-\d+-[0-9a-f]{8}\.txt \(EACCES\); check the folder's permissions\.\n$/);
      expect(r.stderr).toBe(failedLine('team', 'write'));
    } finally {
      chmodSync(join(lake, '_bird'), 0o700);
    }
  });

  it('a .duckdb file is reachable when it exists and is never written', async () => {
    const { add, bird } = sandbox();
    const dir = tempDir('bird-db-');
    writeFileSync(join(dir, 'team.duckdb'), 'not really a database');
    await add('db', '--type', 'file', '--uri', join(dir, 'team.duckdb'));
    writeFileSync(join(dir, 'gone.duckdb'), 'deleted once added');
    await add('gone', '--type', 'file', '--uri', join(dir, 'gone.duckdb'));
    rmSync(join(dir, 'gone.duckdb'));
    expect(await bird('remote', 'test', 'db')).toEqual({
      code: 0,
      stdout:
        `ok    reachable: ${join(dir, 'team.duckdb')}\nok    credentials: none needed; the file can be read\n` +
        'skip  write: a .duckdb remote is never written (push needs a folder or prefix uri)\n',
      stderr: '',
    });
    const gone = await bird('remote', 'test', 'gone');
    expect(gone.code).toBe(1);
    expect(gone.stdout).toBe(`FAIL  reachable: ${join(dir, 'gone.duckdb')} is not reachable (ENOENT); check the remote's uri and that it is mounted.\n${NEVER_WRITTEN_SKIPS.database}`);
    expect(readdirSync(dir)).toEqual(['team.duckdb']);
  });
});

describe('bird remote test, s3 remotes', () => {
  it('a bucket on a reachable server with good credentials passes every check and keeps no probe object', async () => {
    const { add, bird } = sandbox();
    const uri = prefix();
    await add('team', '--type', 's3', '--uri', uri, '--endpoint', s3().endpoint);
    const r = await bird('remote', 'test', 'team');
    expect(r).toEqual({
      code: 0,
      stdout: `ok    reachable: ${uri}/ at ${s3().endpoint}\nok    credentials accepted\nok    write: stored and removed a probe object under _bird/\nok    index: none yet (no bird has pushed here; pulls list the lake)\n`,
      stderr: '',
    });
    expect(r.stdout).not.toContain(S3RVER_ENV.AWS_SECRET_ACCESS_KEY);
    const backend = await createRemoteBackend(remoteConfig({ type: 's3', uri, endpoint: s3().endpoint }));
    try {
      expect(await backend.list('')).toEqual([]);
    } finally {
      backend.close();
    }
  });

  it('refused credentials fail the credentials check, and the key is not printed', async () => {
    const { add, bird } = sandbox();
    const uri = prefix();
    await add('team', '--type', 's3', '--uri', uri, '--endpoint', s3().endpoint);
    const restore = setEnv({ AWS_ACCESS_KEY_ID: 'nope', AWS_SECRET_ACCESS_KEY: 'not-the-secret' });
    let r: Run;
    try {
      r = await bird('remote', 'test', 'team');
    } finally {
      restore();
    }
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      `ok    reachable: ${uri}/ at ${s3().endpoint}\n` +
        `FAIL  credentials: ${uri}/ at ${s3().endpoint} refused access (InvalidAccessKeyId); check the AWS credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE).\n` +
        'skip  write: the credentials were refused\n',
    );
    expect(r.stderr).toBe(failedLine('team', 'credentials'));
    expect(r.stdout + r.stderr).not.toMatch(/nope|not-the-secret/);
  });

  it('no credentials anywhere fail the credentials check, and neither reachability nor the write is claimed to have been tried', async () => {
    const { add, bird } = sandbox();
    const endpoint = `http://127.0.0.1:${await closedPort()}`; // nothing answers: had a request gone out, it would fail
    await add('team', '--type', 's3', '--uri', 's3://lake/nocreds', '--endpoint', endpoint);
    await add('mirror', '--type', 's3', '--uri', 's3://lake/nocreds', '--endpoint', endpoint, '--read-only');
    const [team, mirror] = await withoutAwsCredentials(async () => [await bird('remote', 'test', 'team'), await bird('remote', 'test', 'mirror')]);
    const failed = (write: string) =>
      'skip  reachable: not tried without credentials\n' +
      `FAIL  credentials: found no AWS credentials for s3://lake/nocreds/ at ${endpoint}; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE.\n` +
      `skip  write: ${write}\n`;
    expect(team).toEqual({ code: 1, stdout: failed('not tried without credentials'), stderr: failedLine('team', 'credentials') });
    expect(mirror).toEqual({ code: 1, stdout: failed('the remote is read_only'), stderr: failedLine('mirror', 'credentials') });
  });

  it('an endpoint on a closed port fails reachability within a few seconds', async () => {
    const { add, bird } = sandbox();
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    await add('team', '--type', 's3', '--uri', prefix(), '--endpoint', endpoint);
    const started = Date.now();
    const r = await bird('remote', 'test', 'team');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`FAIL  reachable: ${endpoint} is not reachable (ECONNREFUSED); check the remote's endpoint and your network.\n${UNREACHABLE_SKIPS}`);
  });

  it('a read_only remote on a closed port says the write is skipped because it is read_only', async () => {
    const { add, bird } = sandbox();
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    await add('mirror', '--type', 's3', '--uri', prefix(), '--endpoint', endpoint, '--read-only');
    const r = await bird('remote', 'test', 'mirror');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`FAIL  reachable: ${endpoint} is not reachable (ECONNREFUSED); check the remote's endpoint and your network.\n${NEVER_WRITTEN_SKIPS.readOnly}`);
  });

  it('a missing bucket fails reachability naming the bucket', async () => {
    const { add, bird } = sandbox();
    await add('team', '--type', 's3', '--uri', 's3://no-such-bucket/lake', '--endpoint', s3().endpoint);
    const r = await bird('remote', 'test', 'team');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`FAIL  reachable: bucket no-such-bucket does not exist at ${s3().endpoint}; check the remote's uri.\n${UNREACHABLE_SKIPS}`);
  });

  it('a read_only remote skips the write check and writes nothing', async () => {
    const { add, bird } = sandbox();
    const uri = prefix();
    await add('team', '--type', 's3', '--uri', uri, '--endpoint', s3().endpoint, '--read-only');
    const r = await bird('remote', 'test', 'team');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`ok    reachable: ${uri}/ at ${s3().endpoint}\nok    credentials accepted\nskip  write: the remote is read_only\nok    index: none yet (no bird has pushed here; pulls list the lake)\n`);
    const backend = await createRemoteBackend(remoteConfig({ type: 's3', uri: 's3://lake', endpoint: s3().endpoint }));
    try {
      expect((await backend.list(uri.slice('s3://lake/'.length))).length).toBe(0);
    } finally {
      backend.close();
    }
  });

  it('a .duckdb object is reachable when it exists and is never written', async () => {
    const { add, bird } = sandbox();
    const uri = prefix();
    const folder = await createRemoteBackend(remoteConfig({ type: 's3', uri, endpoint: s3().endpoint }));
    try {
      const src = join(tempDir('bird-src-'), 'team.duckdb');
      writeFileSync(src, 'not really a database');
      await folder.put('team.duckdb', src);
      await add('db', '--type', 's3', '--uri', `${uri}/team.duckdb`, '--endpoint', s3().endpoint);
      await add('gone', '--type', 's3', '--uri', `${uri}/gone.duckdb`, '--endpoint', s3().endpoint);
      expect(await bird('remote', 'test', 'db')).toEqual({
        code: 0,
        stdout:
          `ok    reachable: ${uri}/team.duckdb at ${s3().endpoint}\nok    credentials accepted\n` +
          'skip  write: a .duckdb remote is never written (push needs a folder or prefix uri)\n',
        stderr: '',
      });
      const gone = await bird('remote', 'test', 'gone');
      expect(gone.code).toBe(1);
      expect(gone.stdout).toBe(`FAIL  reachable: ${uri}/gone.duckdb at ${s3().endpoint} does not exist; check the remote's uri.\n${NEVER_WRITTEN_SKIPS.database}`);
      expect((await folder.list('')).map((o) => o.key)).toEqual(['team.duckdb']);
    } finally {
      folder.close();
    }
  });
});

describe('bird remote test, the command line', () => {
  it('an unknown name is a usage error that points at bird remote list', async () => {
    const { add, bird } = sandbox();
    expect(await bird('remote', 'test', 'team')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'bird: there is no remote named "team"; `bird remote list` shows the configured ones.\n',
    });
    await add('Team', '--type', 'file', '--uri', tempDir('bird-lake-'));
    expect((await bird('remote', 'test', 'team')).stderr).toBe('bird: there is no remote named "team" (did you mean "Team"?).\n');
  });

  it('takes exactly one name, and --help prints its usage', async () => {
    const { bird } = sandbox();
    expect((await bird('remote', 'test')).code).toBe(2);
    expect((await bird('remote', 'test', 'a', 'b')).code).toBe(2);
    expect(await bird('remote', 'test', '--help')).toEqual({ code: 0, stdout: 'usage: bird remote test NAME\n', stderr: '' });
  });
});
