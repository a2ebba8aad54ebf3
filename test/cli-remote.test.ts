// End to end: `bird remote add|list|remove` editing config.toml through the built bundle.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { beforeAll, describe, expect, it } from 'vitest';
import { at, buildBundles, expectOneLineError, Sandbox, sandboxFactory } from './cli-helpers.ts';

beforeAll(() => buildBundles());

const sandbox = sandboxFactory();

const remotesIn = (s: Sandbox) => (parse(readFileSync(join(s.root, 'config.toml'), 'utf8')) as { remotes?: unknown[] }).remotes ?? [];

describe('bird remote', () => {
  const s = sandbox();
  const lake = join(s.dir, 'lake');

  beforeAll(() => {
    mkdirSync(lake);
    s.capture({ cmd: 'ls', exit: 0, startUs: at(0) });
  });

  it('lists no remotes on a fresh root, and creates nothing when there is no root', () => {
    const fresh = sandbox();
    const run = fresh.bird(['remote', 'list']);
    expect(run).toEqual({ code: 0, stdout: 'No remotes configured; add one with `bird remote add NAME --type file|s3 --uri URI`.\n', stderr: '' });
    expect(existsSync(fresh.root)).toBe(false);
    expect(JSON.parse(fresh.bird(['remote', 'list', '--format', 'json']).stdout)).toEqual([]);
  });

  it('adds a file remote and an s3 remote to config.toml', () => {
    const file = s.bird(['remote', 'add', 'team', '--type', 'file', '--uri', lake]);
    expect(file).toEqual({ code: 0, stdout: `Added remote "team" (file, ${lake}) to ${join(s.root, 'config.toml')}.\n`, stderr: '' });
    const s3 = s.bird([
      'remote', 'add', 'my-cloud', '--type', 's3', '--uri', 's3://bird-bucket/team/', '--endpoint', 'http://127.0.0.1:9000',
      '--region', 'eu-west-1', '--read-only', '--no-auto-attach',
    ]);
    expect(s3.code).toBe(0);
    // Nothing reaches out to S3 when adding; the user is told how to check it.
    expect(s3.stdout).toMatch(/\nCheck that this machine can reach it with `bird remote test my-cloud`\.\n$/);
    expect(remotesIn(s)).toEqual([
      { name: 'team', type: 'file', uri: lake, mode: 'read_write', auto_attach: true },
      { name: 'my-cloud', type: 's3', uri: 's3://bird-bucket/team', mode: 'read_only', auto_attach: false, endpoint: 'http://127.0.0.1:9000', region: 'eu-west-1' },
    ]);
  });

  it('makes a new file lake\'s folder; refuses one whose parent is missing (a share not mounted), making nothing', () => {
    const fresh = sandbox();
    const lakeDir = join(fresh.dir, 'new-lake');
    const made = fresh.bird(['remote', 'add', 'team', '--type', 'file', '--uri', lakeDir]);
    expect(made).toEqual({ code: 0, stdout: `Added remote "team" (file, ${lakeDir}) to ${join(fresh.root, 'config.toml')}.\nCreated the lake's folder ${lakeDir}.\n`, stderr: '' });
    expect(existsSync(lakeDir)).toBe(true);
    const unmounted = join(fresh.dir, 'mnt', 'nas', 'lake');
    expectOneLineError(fresh.bird(['remote', 'add', 'nas', '--type', 'file', '--uri', unmounted]), 1, /does not exist, nor does the folder it would go in \(a share not mounted\?\); create it with `mkdir -p /);
    expect(existsSync(join(fresh.dir, 'mnt'))).toBe(false);
    // Read-only remotes are never written by bird: nothing is made for them, and a missing one is refused.
    const ro = join(fresh.dir, 'ro-lake');
    expectOneLineError(fresh.bird(['remote', 'add', 'ro', '--type', 'file', '--uri', ro, '--read-only']), 1, /a read-only remote is only read from/);
    expect(existsSync(ro)).toBe(false);
    expect(remotesIn(fresh).map((r) => (r as { name: string }).name)).toEqual(['team']);
  });

  it('lists them as a table and as json', () => {
    const table = s.bird(['remote', 'list']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^name {6}type  uri +mode {8}auto-attach  endpoint {15}region$/);
    expect(lines[1]).toMatch(/^-{8}  -{4}  -+  -{10}  -{11}  -{21}  -{9}$/);
    expect(lines[2]).toMatch(new RegExp(`^team +file +${lake.replaceAll('/', '\\/')} +read-write +yes$`));
    expect(lines[3]).toMatch(/^my-cloud +s3 +s3:\/\/bird-bucket\/team +read-only +no +http:\/\/127\.0\.0\.1:9000 +eu-west-1$/);
    expect(JSON.parse(s.bird(['remote', 'list', '--format', 'json']).stdout).map((r: { name: string }) => r.name)).toEqual(['team', 'my-cloud']);
  });

  it('lists a .duckdb remote (the seed\'s kind, which push never writes) as read-only', () => {
    const fresh = sandbox();
    expect(fresh.bird(['init']).code).toBe(0);
    const db = join(fresh.dir, 'team.duckdb');
    writeFileSync(db, 'a database file');
    expect(fresh.bird(['remote', 'add', 'seed', '--type', 'file', '--uri', db]).code).toBe(0);
    expect(fresh.bird(['remote', 'list']).stdout.split('\n')[2]).toMatch(/^seed +file +\S+team\.duckdb +read-only +yes$/);
    expect(JSON.parse(fresh.bird(['remote', 'list', '--format', 'json']).stdout)).toMatchObject([{ name: 'seed', mode: 'read_only' }]);
  });

  it('bird sql still works with the file remote attached', () => {
    const run = s.bird(['sql', 'SELECT (SELECT count(*) FROM main.invocations) AS here, (SELECT count(*) FROM remotes_invocations()) AS there', '--format', 'json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([{ here: 1, there: 0 }]);
  });

  it.each([
    ['team', /a remote named "team" already exists; remove it first/],
    ['TEAM', /clashes with the remote "team"/],
    ['my_cloud', /clashes with the remote "my-cloud".*cached_my_cloud/],
    ['My_Cloud', /clashes with the remote "my-cloud".*cached_my_cloud/],
  ])('refuses %j next to the existing remotes as a usage error (exit 2), leaving config.toml as it was', (name, message) => {
    const before = readFileSync(join(s.root, 'config.toml'), 'utf8');
    expectOneLineError(s.bird(['remote', 'add', name, '--type', 'file', '--uri', '/srv/other']), 2, message);
    expect(readFileSync(join(s.root, 'config.toml'), 'utf8')).toBe(before);
  });

  it.each([
    ['quote', "te'am"],
    ['double quote', 'te"am'],
    ['semicolon', 'team;DROP'],
    ['space', 'my team'],
    ['dots', '..'],
    ['dotted', 'a..b'],
    ['empty', ''],
    ['200 characters', 'a'.repeat(200)],
    ['leading digit', '9lives'],
    ['slash', 'a/b'],
  ])('refuses a name with a %s (exit 2)', (_what, name) => {
    const before = readFileSync(join(s.root, 'config.toml'), 'utf8');
    expectOneLineError(s.bird(['remote', 'add', name, '--type', 'file', '--uri', '/srv/x']), 2, /remote name .* is not allowed: use a letter/);
    expect(readFileSync(join(s.root, 'config.toml'), 'utf8')).toBe(before);
  });

  it.each([
    [['--type', 'file', '--uri', 'file://elsewhere/srv/x'], /is not a file:\/\/ URL of a local folder/],
    [['--type', 's3', '--uri', '/srv/x'], /must look like s3:\/\/bucket/],
    [['--type', 's3', '--uri', 's3://Bad_Bucket/x'], /must look like s3:\/\/bucket/],
    [['--type', 's3', '--uri', 's3://bucket', '--endpoint', 'localhost:9000'], /--endpoint must be/],
    [['--type', 'file', '--uri', '/srv/x', '--region', 'us-east-1'], /only for --type s3/],
    [['--type', 'ftp', '--uri', '/srv/x'], /--type must be file or s3, not "ftp"/],
    [['--uri', '/srv/x'], /missing --type/],
    [['--type', 'file'], /missing --uri/],
    [['--type', 'file', '--uri', '/srv/x', '--read-only=no'], /--read-only does not take a value/],
    [['--type', 'file', '--uri', '/srv/x', '--auto-attach'], /unknown option --auto-attach/],
  ])('remote add x %j is a usage error', (flags, message) => {
    expectOneLineError(s.bird(['remote', 'add', 'x', ...flags]), 2, message);
    expect(remotesIn(s).map((r) => (r as { name: string }).name)).not.toContain('x');
  });

  it('needs a subcommand it knows, and a name to add or remove', () => {
    expectOneLineError(s.bird(['remote']), 2, /missing subcommand/);
    expectOneLineError(s.bird(['remote', 'rename', 'a', 'b']), 2, /unknown subcommand "rename"/);
    expectOneLineError(s.bird(['remote', 'add', '--type', 'file', '--uri', '/x']), 2, /missing argument; usage: bird remote add NAME/);
    expectOneLineError(s.bird(['remote', 'remove']), 2, /missing argument; usage: bird remote remove NAME/);
  });

  it('removes a remote by name and says when there is none', () => {
    expectOneLineError(s.bird(['remote', 'remove', 'nope']), 1, /there is no remote named "nope"; `bird remote list` shows/);
    expectOneLineError(s.bird(['remote', 'remove', 'Team']), 1, /did you mean "team"/);
    const run = s.bird(['remote', 'remove', 'team']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Removed remote "team" from /);
    expect(remotesIn(s).map((r) => (r as { name: string }).name)).toEqual(['my-cloud']);
    // The store keeps working with the remote gone.
    expect(JSON.parse(s.bird(['sql', 'SELECT count(*) AS n FROM main.invocations', '--format', 'json']).stdout)).toEqual([{ n: 1 }]);
  });

  it('creates the root and config when the first thing done is adding a remote', () => {
    const fresh = sandbox();
    const lakeDir = join(fresh.dir, 'lake');
    expect(fresh.bird(['remote', 'add', 'team', '--type', 'file', '--uri', lakeDir]).code).toBe(0);
    expect(remotesIn(fresh)).toEqual([{ name: 'team', type: 'file', uri: lakeDir, mode: 'read_write', auto_attach: true }]);
    expectOneLineError(fresh.bird(['remote', 'remove', 'x'], { env: { BIRD_ROOT: join(fresh.dir, 'none') } }), 1, /there is no BIRD store/);
  });
});
