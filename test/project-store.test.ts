// Issue 29 end to end with the built commands: `bird init --project` makes a store in a
// repository's `.bird/`, CI records into it with BIRD_ROOT, and a teammate's `bird sql` anywhere
// inside the repository reads it as `project`; outside, the macro is empty.
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildBundles, expectOneLineError, sandboxFactory } from './cli-helpers.ts';

beforeAll(() => buildBundles());
const sandbox = sandboxFactory();

describe.each(['parquet', 'duckdb'] as const)("a project store read from a %s-mode user's store", (userMode) => {
  it('bird init --project, CI records into it, bird sql inside the repository sees it as project', () => {
    const s = sandbox();
    const repo = join(s.home, 'src', 'app');
    mkdirSync(join(repo, 'lib', 'deep'), { recursive: true });
    const init = s.bird(['init', '--project'], { cwd: repo });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toMatch(/^Created the project store at .*\/src\/app\/\.bird \(parquet mode\)\.\nRecord into it, in CI for example: BIRD_ROOT=\.bird bird run -- make test\n/);
    expect(readFileSync(join(repo, '.bird', '.gitignore'), 'utf8')).toContain('db/*\n!db/data/\n');
    // CI records two commands into the project's store, with what they printed, as the README says.
    const ci = { BIRD_ROOT: '.bird', BIRD_CLIENT_ID: 'ci@runner' };
    expect(s.bird(['run', '--', 'sh', '-c', "echo 'make test'; exit 2"], { cwd: repo, env: ci }).code).toBe(2);
    expect(s.bird(['run', '--', 'sh', '-c', "echo 'make build'"], { cwd: repo, env: ci }).code).toBe(0);
    // The teammate's own store, with a command of their own.
    expect(s.bird(['init', '--mode', userMode]).code).toBe(0);
    s.capture({ cmd: 'vim main.c', exit: 0, startUs: BigInt(Date.now() + 60_000) * 1000n, cwd: repo });

    const inside = s.bird(['sql', "SELECT i.exit_code, o.storage_ref AS printed, i._source FROM project.invocations i JOIN project.outputs o ON o.invocation_id = i.id ORDER BY printed", '--format', 'csv'], { cwd: join(repo, 'lib', 'deep') });
    expect({ code: inside.code, stderr: inside.stderr, stdout: inside.stdout }).toEqual({ code: 0, stderr: '', stdout: 'exit_code,printed,_source\n0,"make build\n",project\n2,"make test\n",project\n' });
    const mine = s.bird(['sql', 'SELECT cmd FROM main.invocations', '--format', 'csv'], { cwd: repo });
    expect(mine.stdout).toBe('cmd\nvim main.c\n');
    const both = s.bird(['history', '--project', '--format', 'csv'], { cwd: join(repo, 'lib') });
    expect(both.stderr).toBe('');
    const which = (line: string) => ['vim main.c', 'make build', 'make test'].find((t) => line.includes(t));
    expect(both.stdout.split('\n').slice(1, -1).map(which)).toEqual(['vim main.c', 'make build', 'make test']);
    const onlyProject = s.bird(['history', '--project', '--source', 'project', '--format', 'csv'], { cwd: repo });
    expect(onlyProject.stdout).toMatch(/make build/);
    expect(onlyProject.stdout).not.toMatch(/vim main\.c/);
    const stats = s.bird(['stats', '--source', 'project', '--format', 'json'], { cwd: repo });
    expect(stats.stderr).toBe('');
    expect(JSON.parse(stats.stdout)).toMatchObject({ total: 2, distinct: 2 });
    expect(JSON.parse(s.bird(['stats', '--format', 'json'], { cwd: repo }).stdout)).toMatchObject({ total: 1 });
    expectOneLineError(s.bird(['history', '--project'], { cwd: s.home }), 1, /there is no project store here \(no \.bird\/ in .* or a folder above it\)/);
    expect(s.bird(['doctor'], { cwd: join(repo, 'lib') }).stdout).toContain(`ok    project: ${join(repo, '.bird')} (parquet mode), read as project.* by bird sql in this folder\n`);
    expect(s.bird(['doctor'], { cwd: s.home }).stdout).not.toContain('project:');
    const outside = s.bird(['sql', 'SELECT count(*) AS n FROM project_invocations()', '--format', 'csv'], { cwd: s.home });
    expect({ code: outside.code, stdout: outside.stdout, stderr: outside.stderr }).toEqual({ code: 0, stdout: 'n\n0\n', stderr: '' });
  });
});

describe('what git carries of a project store', () => {
  it('the rows and the blobs of large outputs they name, not what each machine makes for itself', () => {
    const s = sandbox();
    const repo = join(s.home, 'app');
    mkdirSync(repo);
    expect(s.bird(['init', '--project'], { cwd: repo }).code).toBe(0);
    // Larger than an inline output (4 KiB): stored as a blob under db/blobs.
    const ci = { BIRD_ROOT: '.bird', BIRD_CLIENT_ID: 'ci@runner' };
    expect(s.bird(['run', '--', 'sh', '-c', 'seq 1 3000'], { cwd: repo, env: ci }).code).toBe(0);
    expect(s.bird(['history', '-n', '1'], { cwd: repo, env: ci }).code).toBe(0); // makes the history index
    const git = (...args: string[]) => spawnSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
    expect(git('init', '-q').status).toBe(0);
    expect(git('add', '-A', '.bird').status).toBe(0);
    const carried = git('ls-files', '.bird').stdout.split('\n').filter(Boolean);
    expect(carried.filter((f) => /^\.bird\/db\/blobs\/[0-9a-f]{2}\/[0-9a-f]{64}\.gz$/.test(f))).toHaveLength(1);
    expect(carried.some((f) => f.startsWith('.bird/db/data/local/invocations/'))).toBe(true);
    expect(carried.some((f) => f.startsWith('.bird/db/data/local/outputs/'))).toBe(true);
    expect(carried.filter((f) => /history-index|bird\.duckdb|\/tmp\/|spool|\.lock$/.test(f))).toEqual([]);
  });
});

describe('bird init --project refuses what it cannot make', () => {
  it('a folder that is not there, a .bird/ that is a symlink, a folder without --project', () => {
    const s = sandbox();
    expectOneLineError(s.bird(['init', '--project', join(s.dir, 'nope')]), 2, /nope is not a folder; give the project's folder/);
    const repo = join(s.dir, 'repo');
    mkdirSync(repo);
    symlinkSync(s.home, join(repo, '.bird'));
    expectOneLineError(s.bird(['init', '--project', repo]), 2, /\.bird is a symbolic link; a project's store must be a folder inside the project/);
    expect(existsSync(join(s.home, 'config.toml')), 'nothing made through the link').toBe(false);
    expectOneLineError(s.bird(['init', repo]), 2, /takes a folder only with --project/);
  });

  it('a .bird/ holding garbage is named once by bird sql, which answers from the user\'s own store', () => {
    const s = sandbox();
    const repo = join(s.dir, 'garbage-repo');
    mkdirSync(join(repo, '.bird', 'db', 'data', 'local'), { recursive: true });
    writeFileSync(join(repo, '.bird', 'config.toml'), '[storage\nmode = ???');
    expect(s.bird(['init']).code).toBe(0);
    const run = s.bird(['sql', 'SELECT count(*) AS n FROM project_invocations()', '--format', 'csv'], { cwd: repo });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('n\n0\n');
    const lines = run.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^bird: warning: .*garbage-repo\/\.bird: its config\.toml cannot be read .*; the project store was not read\.$/);
  });
});

describe.each(['parquet', 'duckdb'] as const)("[project] record = true, with a %s-mode user's store", (userMode) => {
  it('bird run inside the project stores the command in both stores under one id, shown once', () => {
    const s = sandbox();
    const repo = join(s.home, 'src', 'svc');
    mkdirSync(join(repo, 'pkg'), { recursive: true });
    expect(s.bird(['init', '--project'], { cwd: repo }).code).toBe(0);
    expect(s.bird(['init', '--mode', userMode]).code).toBe(0);
    appendFileSync(join(s.root, 'config.toml'), '\n[project]\nrecord = true\n');

    const ran = s.bird(['run', '--', 'sh', '-c', "echo 'built ok'; exit 3"], { cwd: join(repo, 'pkg') });
    expect({ code: ran.code, stdout: ran.stdout, stderr: ran.stderr }).toEqual({ code: 3, stdout: 'built ok\n', stderr: '' });
    const ids = (from: string) => s.bird(['sql', `SELECT i.id, i.exit_code, o.storage_ref AS printed FROM ${from}.invocations i JOIN ${from}.outputs o ON o.invocation_id = i.id`, '--format', 'csv'], { cwd: repo }).stdout;
    const mine = ids('local');
    expect(mine).toMatch(/^id,exit_code,printed\n[0-9a-f-]{36},3,"built ok\n"\n$/);
    expect(ids('project')).toBe(mine);

    // Read together, it is one command: yours in the whole history, the project's in its own.
    const history = s.bird(['history', '--project', '--format', 'csv'], { cwd: repo });
    expect(history.stderr).toBe('');
    expect(history.stdout.split('\n').filter((l) => l.includes('built ok'))).toHaveLength(1);
    expect(s.bird(['history', '--project', '--source', 'project', '--format', 'csv'], { cwd: repo }).stdout).toMatch(/built ok/);
    expect(JSON.parse(s.bird(['stats', '--source', 'project', '--format', 'json'], { cwd: repo }).stdout)).toMatchObject({ total: 1 });

    // Outside the project the switch has nothing to do, and says nothing.
    const outside = s.bird(['run', '--', 'true'], { cwd: s.home });
    expect({ code: outside.code, stderr: outside.stderr }).toEqual({ code: 0, stderr: '' });
    expect(s.bird(['sql', 'SELECT count(*) AS n FROM project.invocations', '--format', 'csv'], { cwd: repo }).stdout).toBe('n\n1\n');
  });

  it("a project store that cannot be written gets one warning; the user's store still gets the command", () => {
    const s = sandbox();
    const repo = join(s.dir, 'repo');
    mkdirSync(repo);
    expect(s.bird(['init', '--project'], { cwd: repo }).code).toBe(0);
    expect(s.bird(['init', '--mode', userMode]).code).toBe(0);
    appendFileSync(join(s.root, 'config.toml'), '\n[project]\nrecord = true\n');
    // The tests run as root, whom file modes do not stop: a file where the store's temporary
    // folder must be keeps it from being written as a read-only or full disk would.
    rmSync(join(repo, '.bird', 'db', 'tmp'), { recursive: true, force: true });
    writeFileSync(join(repo, '.bird', 'db', 'tmp'), 'not a folder');
    const ran = s.bird(['run', '--', 'echo', 'hello'], { cwd: repo });
    expect({ code: ran.code, stdout: ran.stdout }).toEqual({ code: 0, stdout: 'hello\n' });
    const lines = ran.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^bird: warning: the command is stored in your store but not in the project store .*\/repo\/\.bird \(\[project\] record\): cannot create or write the BIRD root .*\.$/);
    expect(s.bird(['sql', 'SELECT cmd FROM local.invocations', '--format', 'csv'], { cwd: s.home }).stdout).toBe('cmd\necho hello\n');
  });

  it("a project store findProjectStore refuses gets one warning; the user's store still gets the command", () => {
    const s = sandbox();
    const repo = join(s.dir, 'linked');
    mkdirSync(repo);
    mkdirSync(join(s.dir, 'elsewhere'));
    symlinkSync(join(s.dir, 'elsewhere'), join(repo, '.bird'));
    expect(s.bird(['init', '--mode', userMode]).code).toBe(0);
    appendFileSync(join(s.root, 'config.toml'), '\n[project]\nrecord = true\n');
    const ran = s.bird(['run', '--', 'echo', 'hi'], { cwd: repo });
    expect({ code: ran.code, stdout: ran.stdout }).toEqual({ code: 0, stdout: 'hi\n' });
    const lines = ran.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^bird: warning: the command is stored in your store but not in the project's \(\[project\] record\): .*linked\/\.bird is a symbolic link; a project's store must be a folder inside the project\.$/);
    expect(s.bird(['sql', 'SELECT cmd FROM local.invocations', '--format', 'csv'], { cwd: s.home }).stdout).toBe('cmd\necho hi\n');
    expect(existsSync(join(s.dir, 'elsewhere', 'db')), 'nothing written through the link').toBe(false);
  });
});

describe('[project] record is off by default, and refused when it is not true or false', () => {
  it('bird run inside a project writes only to the user store without it; a bad value is named', () => {
    const s = sandbox();
    const repo = join(s.dir, 'repo');
    mkdirSync(repo);
    expect(s.bird(['init', '--project'], { cwd: repo }).code).toBe(0);
    expect(s.bird(['init']).code).toBe(0);
    expect(s.bird(['run', '--', 'echo', 'one'], { cwd: repo }).code).toBe(0);
    expect(s.bird(['sql', 'SELECT count(*) AS n FROM project.invocations', '--format', 'csv'], { cwd: repo }).stdout).toBe('n\n0\n');
    appendFileSync(join(s.root, 'config.toml'), '\n[project]\nrecord = "yes"\n');
    const ran = s.bird(['run', '--', 'echo', 'two'], { cwd: repo });
    expect({ code: ran.code, stdout: ran.stdout }).toEqual({ code: 0, stdout: 'two\n' });
    expect(ran.stderr).toMatch(/^bird: warning: the command ran but is not stored: .*config\.toml: project\.record must be true or false, not "yes"; fix it and try again\.\n$/);
  });
});
