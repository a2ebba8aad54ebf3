// Issue 29's last part, end to end with the built commands: CI records with `bird run` and pushes
// to a lake (a folder, and the real S3 test server); a teammate's clone names that lake in its
// `.bird/config.toml`, and `bird pull --project` fills a cache under the teammate's own root that
// `project.*` and `project_invocations()` read, from anywhere in the clone; nothing is written
// into the clone. A project config naming a lake with anything but a name and a uri is refused.
import { createHash } from 'node:crypto';
import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { birdLayout, holderStamp, type StorageMode } from '@bird/core';
import { S3RVER_ENV, startS3Server, type S3TestServer } from '@bird/remote/testing';
import { buildBundles, expectOneLineError, sandboxFactory, type Sandbox } from './cli-helpers.ts';

let s3: S3TestServer;
const sandbox = sandboxFactory();

beforeAll(async () => {
  buildBundles();
  s3 = await startS3Server();
  await s3.createBucket('ci-bucket');
});
afterAll(async () => s3?.stop());

/** Every path under `dir` with its size and modification time: what a read must leave as it was. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const st = statSync(p);
      out.push(`${p} ${e.isDirectory() ? 'dir' : st.size} ${st.mtimeMs}`);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

interface Lake {
  /** The lake's uri, as CI adds it and the project's config.toml names it. */
  readonly uri: string;
  /** `bird remote add` flags for it, and the environment that reaches it. */
  readonly flags: string[];
  readonly env: Record<string, string>;
}

/** CI: its own store (of `mode`), `bird run` in its checkout, `bird push` to the lake. */
function ciRecordsAndPushes(s: Sandbox, lake: Lake, line: string, mode: StorageMode = 'parquet'): void {
  const ci = { ...lake.env, BIRD_ROOT: join(s.dir, 'ci-root'), BIRD_CLIENT_ID: 'ci@runner' };
  const checkout = join(s.dir, 'ci-checkout');
  mkdirSync(checkout, { recursive: true });
  expect(s.bird(['init', '--mode', mode], { env: ci }).code).toBe(0);
  const added = s.bird(['remote', 'add', 'lake', '--uri', lake.uri, ...lake.flags], { env: ci });
  expect(added.code, added.stderr).toBe(0);
  expect(s.bird(['run', '--', 'sh', '-c', `echo ${line}`], { cwd: checkout, env: ci }).code).toBe(0);
  const pushed = s.bird(['push'], { env: ci });
  expect({ code: pushed.code, stderr: pushed.stderr }).toEqual({ code: 0, stderr: '' });
}

/** The teammate's clone: a project store (of `mode`) whose config.toml names the lake (`entries`: [[remotes]] tables). */
function teammateClone(s: Sandbox, entries: string, mode: StorageMode = 'parquet', name = 'app'): { repo: string; deep: string } {
  const repo = join(s.home, 'src', name);
  const deep = join(repo, 'lib', 'deep');
  mkdirSync(deep, { recursive: true });
  expect(s.bird(['init', '--project', '--mode', mode], { cwd: repo }).code).toBe(0);
  const config = join(repo, '.bird', 'config.toml');
  // Top-level keys go before the file's tables (after them they would be a table's keys).
  if (entries.startsWith('remotes =')) writeFileSync(config, `${entries}${readFileSync(config, 'utf8')}`);
  else appendFileSync(config, `\n${entries}`);
  return { repo, deep };
}

const lakes: Record<'file' | 's3', () => Lake> = {
  file: () => ({ uri: join(sandboxLakeDir, 'lake'), flags: ['--type', 'file'], env: {} }),
  s3: () => ({ uri: `s3://ci-bucket/lake-${Math.random().toString(36).slice(2, 8)}`, flags: ['--type', 's3', '--endpoint', s3.endpoint], env: { ...S3RVER_ENV } }),
};
let sandboxLakeDir = '';

/** CI commits its store into the repository, as the clone then has it: the same run it pushed. */
function ciCommits(s: Sandbox, repo: string, mode: StorageMode): void {
  const ci = birdLayout(join(s.dir, 'ci-root'));
  const project = birdLayout(join(repo, '.bird'));
  if (mode === 'parquet') cpSync(ci.localData, project.localData, { recursive: true });
  else for (const file of [ci.catalog, `${ci.catalog}.wal`]) if (existsSync(file)) cpSync(file, file.replace(ci.root, project.root));
}

describe.each([
  ['file', 'parquet'],
  ['s3', 'parquet'],
  ['file', 'duckdb'],
] as const)('bird pull --project from a %s lake into a %s-mode project', (kind, mode) => {
  it("CI's pushed command reaches project_invocations() in a teammate's clone; nothing is written into it", () => {
    const s = sandbox();
    sandboxLakeDir = s.dir;
    const lake = lakes[kind]();
    ciRecordsAndPushes(s, lake, 'ci 42 tests passed', mode);
    const { repo, deep } = teammateClone(s, `[[remotes]]\nname = "ci"\nuri = "${lake.uri}"\n`, mode);
    const me = { ...lake.env };
    expect(s.bird(['init'], { env: me }).code).toBe(0);
    // An s3 lake is reached with the teammate's own endpoint for that bucket, never the repository's.
    if (kind === 's3') expect(s.bird(['remote', 'add', 'mine', '--type', 's3', '--uri', 's3://ci-bucket/mine', '--endpoint', s3.endpoint, '--no-auto-attach'], { env: me }).code).toBe(0);

    const query = ['sql', "SELECT cmd, o.storage_ref AS printed, i._source FROM project_invocations() i JOIN project_outputs() o ON o.invocation_id = i.id", '--format', 'csv'];
    expect(s.bird(query, { cwd: deep, env: me }).stdout).toBe('cmd,printed,_source\n');
    const before = snapshot(join(repo, '.bird'));
    expect(s.bird(['doctor'], { cwd: deep, env: me }).stdout).toContain('ok    project: it names the lake ci; ci not pulled yet: `bird pull --project` brings its runs into project.*\n');

    const pulled = s.bird(['pull', '--project'], { cwd: deep, env: me });
    expect({ code: pulled.code, stderr: pulled.stderr }).toEqual({ code: 0, stderr: '' });
    expect(s.bird(['doctor'], { cwd: deep, env: me }).stdout).toMatch(/ok {4}project: it names the lake ci, pulled into .*\/db\/project-caches\/[0-9a-f]{24} \(`bird pull --project` brings what is new\)\n/);
    const read = s.bird(query, { cwd: deep, env: me });
    expect({ code: read.code, stderr: read.stderr, stdout: read.stdout }).toEqual({ code: 0, stderr: '', stdout: `cmd,printed,_source\nsh -c 'echo ci 42 tests passed',"ci 42 tests passed\n",project\n` });
    expect(snapshot(join(repo, '.bird')), 'the pull and the reads wrote nothing into the clone').toEqual(before);
    // CI also committed its store: the same run, in the project's own rows and in its lake, is one row.
    ciCommits(s, repo, mode);
    const once = s.bird(['sql', 'SELECT count(*) AS i, (SELECT count(*) FROM project.outputs) AS o FROM project.invocations', '--format', 'csv'], { cwd: deep, env: me });
    expect({ stderr: once.stderr, stdout: once.stdout }).toEqual({ stderr: '', stdout: 'i,o\n1,1\n' });
    // The user's own store is not where the project's rows went.
    expect(s.bird(['sql', 'SELECT count(*) AS n FROM local.invocations', '--format', 'csv'], { cwd: deep, env: me }).stdout).toBe('n\n0\n');
    // Outside the clone, the macro is empty as before.
    expect(s.bird(['sql', 'SELECT count(*) AS n FROM project_invocations()', '--format', 'csv'], { cwd: s.home, env: me }).stdout).toBe('n\n0\n');
  });
});

describe("a project's config.toml is someone else's text", () => {
  it('an entry with credentials or an endpoint is refused in one warning; the good lake is pulled', () => {
    const s = sandbox();
    sandboxLakeDir = s.dir;
    const lake = lakes.file();
    ciRecordsAndPushes(s, lake, 'ci built it');
    const { deep } = teammateClone(
      s,
      `[[remotes]]\nname = "evil"\nuri = "s3://ci-bucket/x"\nendpoint = "http://attacker.example"\naws_secret_access_key = "hunter2"\n\n[[remotes]]\nname = "ci"\nuri = "${lake.uri}"\n`,
    );
    expect(s.bird(['init']).code).toBe(0);
    const pulled = s.bird(['pull', '--project'], { cwd: deep });
    expect(pulled.code).toBe(0);
    const lines = pulled.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^bird: warning: .*\.bird\/config\.toml: \[\[remotes\]\] entry #1 is not taken: a project's config\.toml may give a lake only a name and a uri, not "endpoint", "aws_secret_access_key" \(credentials, endpoints and the rest are yours to set\)\.$/);
    expect(s.bird(['sql', 'SELECT count(*) AS n FROM project_invocations()', '--format', 'csv'], { cwd: deep }).stdout).toBe('n\n1\n');
  });

  it.each([
    ['a path-escaping name', '[[remotes]]\nname = "../../escape"\nuri = "/tmp/nowhere"\n', /entry #1 is not taken: remote name "\.\.\/\.\.\/escape" is not allowed/],
    ['a relative folder', '[[remotes]]\nname = "ci"\nuri = "../../lake"\n', /lake ci is not taken: its uri must be an absolute folder or a file:\/\/ URL, not "\.\.\/\.\.\/lake"/],
    ['an entry that is not a table', 'remotes = [1]\n', /entry #1 is not taken: it is not a table/],
    ['no lake at all', '', /the project store .*\/\.bird names no lake \(no \[\[remotes\]\] entry with a name and uri in its config\.toml\)/],
  ])('%s: bird pull --project says so in one sentence and exits non-zero; reads still work', (_what, entries, message) => {
    const s = sandbox();
    const { deep } = teammateClone(s, entries);
    expect(s.bird(['init']).code).toBe(0);
    expectOneLineError(s.bird(['pull', '--project'], { cwd: deep }), 1, message);
    const read = s.bird(['sql', 'SELECT count(*) AS n FROM project_invocations()', '--format', 'csv'], { cwd: deep });
    expect({ code: read.code, stdout: read.stdout, stderr: read.stderr }).toEqual({ code: 0, stdout: 'n\n0\n', stderr: '' });
  });

  it('garbage for a config.toml: the project is refused in one sentence, by the pull as by reads', () => {
    const s = sandbox();
    const { repo, deep } = teammateClone(s, '');
    writeFileSync(join(repo, '.bird', 'config.toml'), '[[remotes]\nname = ');
    expect(s.bird(['init']).code).toBe(0);
    expectOneLineError(s.bird(['pull', '--project'], { cwd: deep }), 1, /\.bird: its config\.toml cannot be read .*; the project store was not read\./);
  });

  it('outside a project, bird pull --project says so and exits non-zero', () => {
    const s = sandbox();
    expect(s.bird(['init']).code).toBe(0);
    expectOneLineError(s.bird(['pull', '--project'], { cwd: s.home }), 1, /there is no project store here/);
  });
});

/** Makes everything under `dir` look untouched for `days` days. */
function age(dir: string, days: number): void {
  const then = new Date(Date.now() - days * 86_400_000);
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (!e.isSymbolicLink()) utimesSync(join(e.parentPath, e.name), then, then);
  utimesSync(dir, then, then);
}

describe('bird compact sweeps the caches of projects that are gone', () => {
  it("a deleted project's cache goes; a live project's, one being pulled into, a fresh one and a symlink's target stay", () => {
    const s = sandbox();
    sandboxLakeDir = s.dir;
    const lake = lakes.file();
    ciRecordsAndPushes(s, lake, 'ci swept');
    expect(s.bird(['init']).code).toBe(0);
    const entries = `[[remotes]]\nname = "ci"\nuri = "${lake.uri}"\n`;
    const caches = join(s.root, 'db', 'project-caches');
    const cacheOf = (repo: string) => join(caches, createHash('sha256').update(realpathSync(join(repo, '.bird'))).digest('hex').slice(0, 24));
    const gone = teammateClone(s, entries, 'parquet', 'gone');
    const live = teammateClone(s, entries, 'parquet', 'live');
    const busy = teammateClone(s, entries, 'parquet', 'busy');
    for (const clone of [gone, live, busy]) expect(s.bird(['pull', '--project'], { cwd: clone.deep }).code).toBe(0);
    const [goneCache, liveCache, busyCache] = [cacheOf(gone.repo), cacheOf(live.repo), cacheOf(busy.repo)];
    // A pull into `busy`'s cache is running (this process holds its lock) when its project goes.
    writeFileSync(join(busyCache, 'project-store.lock'), `${holderStamp()}\n`);
    expectOneLineError(s.bird(['pull', '--project'], { cwd: busy.deep }), 1, /another `bird pull --project` of .*busy\/\.bird is running/);
    rmSync(gone.repo, { recursive: true });
    rmSync(busy.repo, { recursive: true });
    // A cache a pull is making right now (no record yet), one whose record is garbage, and a
    // symlink to a folder outside that looks like a cache.
    const fresh = join(caches, 'a'.repeat(24));
    mkdirSync(join(fresh, 'db', 'data'), { recursive: true });
    const garbage = join(caches, 'b'.repeat(24));
    mkdirSync(join(garbage, 'db'), { recursive: true });
    writeFileSync(join(garbage, 'project-store.path'), '\u0000not a path');
    const outside = join(s.dir, 'outside');
    mkdirSync(join(outside, 'db'), { recursive: true });
    writeFileSync(join(outside, 'keep.txt'), 'mine');
    symlinkSync(outside, join(caches, 'c'.repeat(24)));
    for (const dir of [goneCache, liveCache, busyCache, garbage, outside]) age(dir, 2);

    const compacted = s.bird(['compact']);
    expect({ code: compacted.code, stderr: compacted.stderr }).toEqual({ code: 0, stderr: '' });
    expect(readdirSync(caches).sort()).toEqual([liveCache, busyCache, fresh, join(caches, 'c'.repeat(24))].map((p) => p.slice(caches.length + 1)).sort());
    expect(readFileSync(join(outside, 'keep.txt'), 'utf8')).toBe('mine');
    // The live project still reads what was pulled for it.
    expect(s.bird(['sql', 'SELECT count(*) AS n FROM project_invocations()', '--format', 'csv'], { cwd: live.deep }).stdout).toBe('n\n1\n');
  });
});
