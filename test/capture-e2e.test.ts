// bird-capture end to end: the built bundle, run as its own process against a temporary
// BIRD_ROOT, read back with real DuckDB.
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { birdLayout, localTableGlob, shortHostname, type BirdLayout } from '@bird/core';
import { duckdbRows, readParquet } from './support/read-parquet.ts';
import { filesUnder } from './support/files.ts';

const repo = join(import.meta.dirname, '..');
const bundle = join(repo, 'packages', 'capture', 'dist', 'bird-capture.cjs');
const base = mkdtempSync(join(tmpdir(), 'bird-capture-e2e-'));
chmodSync(base, 0o755); // lets the test that runs as an unprivileged user reach its folder

beforeAll(() => {
  const built = spawnSync(process.execPath, [join(repo, 'scripts', 'build.mjs'), 'capture'], { cwd: repo, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`building bird-capture failed: ${built.stderr}`);
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

let n = 0;
const freshRoot = () => join(base, `root${++n}`, 'bird');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A minimal environment, so nothing from the developer's shell (BIRD_DISABLED, BIRD_ROOT) leaks in. */
function envFor(root: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: base, USER: 'tester', BIRD_ROOT: root, BIRD_CLIENT_ID: 'tester@e2e', ...extra };
}

function capture(args: string[], root: string, extra: Record<string, string> = {}, options: SpawnSyncOptions = {}): Run {
  const r = spawnSync(process.execPath, [bundle, ...args], { env: envFor(root, extra), encoding: 'utf8', cwd: base, ...options });
  return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

const START = 1_700_000_000_123_456n;
function flags(over: Record<string, string | undefined> = {}): string[] {
  const all: Record<string, string | undefined> = {
    cmd: 'git status',
    exit: '0',
    'start-us': String(START),
    'end-us': String(START + 1_500_000n),
    cwd: '/home/tester/project',
    session: 'zsh-100-1',
    shell: 'zsh',
    ...over,
  };
  return Object.entries(all).flatMap(([k, v]) => (v === undefined ? [] : [`--${k}`, v]));
}

const parquetFiles = (layout: BirdLayout, table: string) =>
  filesUnder(join(layout.localData, table)).filter((f) => f.endsWith('.parquet'));

function expectSuccess(r: Run): void {
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe('');
  expect(r.status).toBe(0);
}

/** Exactly one line on stderr, in the `bird-capture: …` form, with no stack trace. */
function expectOneLineError(r: Run, pattern: RegExp): void {
  expect(r.status).not.toBe(0);
  expect(r.status).not.toBeNull();
  expect(r.stdout).toBe('');
  expect(r.stderr.endsWith('\n')).toBe(true);
  const lines = r.stderr.slice(0, -1).split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^bird-capture: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at |Error:|node:internal/);
}

/** Nothing under db/data and no half-written file anywhere under the root. */
function expectNothingWritten(root: string): void {
  const layout = birdLayout(root);
  expect(filesUnder(layout.dataDir)).toEqual([]);
  expect(filesUnder(root).filter((f) => f.includes('.partial'))).toEqual([]);
}

describe('bird-capture records a finished command', () => {
  it.each([['--help'], ['-h']])('bird-capture %s prints its usage and writes nothing', (flag) => {
    const root = freshRoot();
    const r = capture([flag], root);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^usage: bird-capture --cmd TEXT --exit N --start-us EPOCH_US /);
    expect(existsSync(root)).toBe(false);
  });

  it('writes one invocation and one session, initialising a missing root, and DuckDB reads them', async () => {
    const root = freshRoot();
    expectSuccess(capture(flags({ pid: '4242' }), root));
    const layout = birdLayout(root);

    expect(statSync(root).mode & 0o777).toBe(0o700);
    expect(statSync(layout.config).mode & 0o777).toBe(0o600);
    expect(readFileSync(layout.config, 'utf8')).toMatch(/mode = "parquet"/);
    expect(parquetFiles(layout, 'invocations')).toHaveLength(1);
    expect(parquetFiles(layout, 'sessions')).toHaveLength(1);
    for (const f of [...filesUnder(layout.dataDir)]) expect(statSync(join(layout.dataDir, f)).mode & 0o777).toBe(0o600);

    const invocations = await duckdbRows(
      `SELECT cmd, exit_code, epoch_us("timestamp") AS ts_us, duration_ms, cwd, session_id, shell, executable,
              client_id, hostname, CAST("date" AS VARCHAR) AS date, typeof("timestamp") AS ts_type, id
         FROM ${readParquet(localTableGlob(layout, 'invocations'))}`,
    );
    expect(invocations).toHaveLength(1);
    expect(invocations[0]).toMatchObject({
      cmd: 'git status',
      exit_code: 0,
      ts_us: START,
      duration_ms: 1500n,
      cwd: '/home/tester/project',
      session_id: 'zsh-100-1',
      shell: 'zsh',
      executable: 'git',
      client_id: 'tester@e2e',
      hostname: shortHostname(),
      date: '2023-11-14',
      ts_type: 'TIMESTAMP WITH TIME ZONE',
    });
    expect(invocations[0]!.id).toMatch(/^018bcfe5-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    const sessions = await duckdbRows(
      `SELECT session_id, client_id, invoker, invoker_pid, epoch_us(registered_at) AS us, cwd
         FROM ${readParquet(localTableGlob(layout, 'sessions'))}`,
    );
    expect(sessions).toEqual([
      { session_id: 'zsh-100-1', client_id: 'tester@e2e', invoker: 'zsh', invoker_pid: 4242, us: START, cwd: '/home/tester/project' },
    ]);
  });

  it('in duckdb mode inserts into bird.duckdb (the duckdb writer is loaded lazily, with the code cache)', async () => {
    const root = freshRoot();
    const init = spawnSync(process.execPath, [join(repo, 'packages', 'cli', 'bin', 'bird.cjs'), 'init', '--mode', 'duckdb'], { env: envFor(root), encoding: 'utf8' });
    expect(init.status).toBe(0);
    expectSuccess(capture(flags({ cmd: 'make duck' }), root));
    expectSuccess(capture(flags({ cmd: 'make duck again', 'start-us': String(START + 9_000_000n), 'end-us': undefined }), root));
    const sql = spawnSync(process.execPath, [join(repo, 'packages', 'cli', 'bin', 'bird.cjs'), 'sql', 'SELECT cmd FROM local.invocations ORDER BY timestamp', '--format', 'json'], { env: envFor(root), encoding: 'utf8' });
    expect(sql.stderr).toBe('');
    expect(JSON.parse(sql.stdout)).toEqual([{ cmd: 'make duck' }, { cmd: 'make duck again' }]);
  });

  it('writes the session only the first time it is seen', async () => {
    const root = freshRoot();
    const layout = birdLayout(root);
    expectSuccess(capture(flags({ cmd: 'one' }), root));
    expectSuccess(capture(flags({ cmd: 'two', 'start-us': String(START + 10_000_000n), 'end-us': undefined, exit: '127' }), root));
    expectSuccess(capture(flags({ cmd: 'three', session: 'bash-7-1', shell: 'bash', 'start-us': String(START + 20_000_000n), 'end-us': String(START + 21_000_000n) }), root));
    expect(parquetFiles(layout, 'invocations')).toHaveLength(3);
    expect(parquetFiles(layout, 'sessions')).toHaveLength(2);
    const rows = await duckdbRows(
      `SELECT session_id, count(*) AS n FROM ${readParquet(localTableGlob(layout, 'sessions'))} GROUP BY ALL ORDER BY ALL`,
    );
    expect(rows).toEqual([
      { session_id: 'bash-7-1', n: 1n },
      { session_id: 'zsh-100-1', n: 1n },
    ]);
    const two = await duckdbRows(`SELECT exit_code, duration_ms FROM ${readParquet(localTableGlob(layout, 'invocations'))} WHERE cmd = 'two'`);
    expect(two[0]!.exit_code).toBe(127);
    expect(two[0]!.duration_ms as bigint).toBeGreaterThan(0n); // no --end-us: finished "now"
  });

  it('records the same command twice (a retry) as one row', async () => {
    const root = freshRoot();
    expectSuccess(capture(flags(), root));
    expectSuccess(capture(flags(), root));
    const [row] = await duckdbRows(`SELECT count(*) AS n FROM ${readParquet(localTableGlob(birdLayout(root), 'invocations'))}`);
    expect(row!.n).toBe(1n);
  });

  it('keeps one session row when many captures of one new session run at once', async () => {
    const root = freshRoot();
    capture(flags({ cmd: 'warm-up', session: 'other' }), root); // create the root first, as an earlier command would have
    const runs = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        new Promise<Run>((resolve) => {
          const child = spawn(process.execPath, [bundle, ...flags({ cmd: `job ${i}`, 'start-us': String(START + BigInt(i)) })], { env: envFor(root) });
          let stderr = '';
          child.stderr.on('data', (d) => (stderr += d));
          child.on('close', (status) => resolve({ status, stdout: '', stderr }));
        }),
      ),
    );
    for (const r of runs) expectSuccess(r);
    const layout = birdLayout(root);
    const rows = await duckdbRows(
      `SELECT (SELECT count(*) FROM ${readParquet(localTableGlob(layout, 'invocations'))} WHERE session_id = 'zsh-100-1') AS invocations,
              (SELECT count(*) FROM ${readParquet(localTableGlob(layout, 'sessions'))} WHERE session_id = 'zsh-100-1') AS sessions`,
    );
    expect(rows).toEqual([{ invocations: 8n, sessions: 1n }]);
    expect(filesUnder(layout.tmp)).toEqual([]);
  });

  it('stores unicode, quotes and newlines in the command exactly', async () => {
    const root = freshRoot();
    const cmd = `printf '%s\\n' "🐦 e\u0301" 'it''s' "a\\"b" \\\\\n\techo done`;
    expectSuccess(capture(flags({ cmd, cwd: '/tmp/dir with spaces/ünï' }), root));
    const [row] = await duckdbRows(`SELECT cmd, cwd FROM ${readParquet(localTableGlob(birdLayout(root), 'invocations'))}`);
    expect(row).toEqual({ cmd, cwd: '/tmp/dir with spaces/ünï' });
  });

  it('takes --flag=VALUE (how a value starting with - is passed), and the last of a repeated flag', async () => {
    const root = freshRoot();
    expectSuccess(capture([...flags({ cmd: 'first', exit: undefined }), '--exit=-1', '--cmd=--help me', '--cwd', '/a', '--cwd=/b'], root));
    const [row] = await duckdbRows(`SELECT cmd, cwd, exit_code FROM ${readParquet(localTableGlob(birdLayout(root), 'invocations'))}`);
    expect(row).toEqual({ cmd: '--help me', cwd: '/b', exit_code: -1 });
  });

  it('redacts secrets before they reach the disk', async () => {
    const root = freshRoot();
    expectSuccess(capture(flags({ cmd: 'GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789 gh pr list' }), root));
    const layout = birdLayout(root);
    const [row] = await duckdbRows(`SELECT cmd FROM ${readParquet(localTableGlob(layout, 'invocations'))}`);
    expect(row!.cmd).toBe('GITHUB_TOKEN=[REDACTED] gh pr list');
    for (const f of filesUnder(root)) expect(readFileSync(join(root, f)).includes('ghp_abcdef')).toBe(false);
  });

  // The commands the issue found stored verbatim; each secret must be gone from every file.
  it.each([
    ['az login -u me@example.com -p AzPass12word', 'az login -u me@example.com -p [REDACTED]', 'AzPass12word'],
    ['npm config set //registry.npmjs.org/:_authToken=0a1b2c3d-0000-4111-8222-333344445555', 'npm config set //registry.npmjs.org/:_authToken=[REDACTED]', '0a1b2c3d-0000'],
    ["curl -s 'https://host/api?api_key=k3yVal9e&page=2'", "curl -s 'https://host/api?api_key=[REDACTED]&page=2'", 'k3yVal9e'],
    ['atuin login -u u -p PASSWORD -k "lots of random words"', 'atuin login -u u -p [REDACTED] -k [REDACTED]', 'random words'],
    [`netlify deploy --auth nfp_${'a1B2c3D4e5F6'.repeat(3)}`, 'netlify deploy --auth [REDACTED]', 'a1B2c3D4e5F6'],
  ])('redacts %j before it reaches the disk', async (cmd, stored, secret) => {
    const root = freshRoot();
    expectSuccess(capture(flags({ cmd }), root));
    const [row] = await duckdbRows(`SELECT cmd FROM ${readParquet(localTableGlob(birdLayout(root), 'invocations'))}`);
    expect(row!.cmd).toBe(stored);
    for (const f of filesUnder(root)) expect(readFileSync(join(root, f)).includes(secret), f).toBe(false);
  });

  it('uses the current folder when --cwd is not given', async () => {
    const root = freshRoot();
    const here = join(base, `cwd${n}`);
    mkdirSync(here);
    expectSuccess(capture(flags({ cwd: undefined }), root, {}, { cwd: here }));
    const [row] = await duckdbRows(`SELECT cwd FROM ${readParquet(localTableGlob(birdLayout(root), 'invocations'))}`);
    expect(row!.cwd).toBe(here);
  });

  it('loads neither DuckDB nor node:crypto (slow to start) in parquet mode', () => {
    const root = freshRoot();
    const guard = join(base, 'no-duckdb.cjs');
    writeFileSync(
      guard,
      `const M = require('module'); const load = M._load;
       M._load = function (request, ...rest) {
         if (/duckdb/.test(request)) { require('fs').writeSync(2, 'loaded ' + request + '\\n'); process.exit(99); }
         return load.call(this, request, ...rest);
       };
       process.on('exit', () => {
         if (process.moduleLoadList.includes('NativeModule crypto')) { require('fs').writeSync(2, 'loaded node:crypto\\n'); process.exitCode = 98; }
       });`,
    );
    expectSuccess(capture(flags(), root, { NODE_OPTIONS: `--require ${guard}` }));
    expect(parquetFiles(birdLayout(root), 'invocations')).toHaveLength(1);
  });
});

describe('bird-capture start-up code cache', () => {
  const dist = join(repo, 'packages', 'capture', 'dist');
  const loader = () => readFileSync(join(dist, 'bird-capture.cjs'), 'utf8');
  /** The cache file the loader reads for a bundle: named by the hash of the bundle it was made from. */
  const cacheName = (name: string) => new RegExp(`"(${name}\\.[0-9a-f]{12}\\.cache)"`).exec(loader())?.[1];
  const bundles = ['bird-capture', 'bird-capture-drain'];

  it('is one per bundle, named by the bundle it was made from, so a cache of an older bundle is never used', () => {
    // V8 accepts a cache for any script of the same length; only the name keeps them apart.
    for (const name of bundles) {
      const hash = createHash('sha256').update(readFileSync(join(dist, `${name}.bundle.js`))).digest('hex').slice(0, 12);
      expect(cacheName(name)).toBe(`${name}.${hash}.cache`);
      expect(statSync(join(dist, cacheName(name)!)).size).toBeGreaterThan(0);
    }
    expect(readdirSync(dist).filter((f) => f.endsWith('.cache')).sort()).toEqual(bundles.map(cacheName).sort());
  });

  it('--drain runs the drainer bundle and anything else the capture bundle, each with its own cache', () => {
    // The drainer bundle alone holds the drainer; the capture bundle holds none of it.
    expect(readFileSync(join(dist, 'bird-capture-drain.bundle.js'), 'utf8')).toContain('.claim');
    expect(readFileSync(join(dist, 'bird-capture.bundle.js'), 'utf8')).not.toContain('.claim');
    // Only the bundle a run needs is read (one copy lacks the other bundle, and still works).
    for (const [name, args] of [['bird-capture', flags()], ['bird-capture-drain', ['--drain']]] as const) {
      const copy = join(base, `dist-copy-${++n}`);
      mkdirSync(copy);
      for (const file of ['bird-capture.cjs', `${name}.bundle.js`, cacheName(name)!]) copyFileSync(join(dist, file), join(copy, file));
      const root = freshRoot();
      const r = spawnSync(process.execPath, [join(copy, 'bird-capture.cjs'), ...args], { env: envFor(root, { BIRD_DRAIN_LINGER_MS: '0' }), encoding: 'utf8' });
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    }
  });

  it('is written by the build, and a corrupt or missing cache only means a normal compile', async () => {
    const cacheFile = cacheName('bird-capture')!;
    for (const cache of ['garbage', null]) {
      const copy = join(base, `dist-copy-${++n}`);
      mkdirSync(copy);
      copyFileSync(join(dist, 'bird-capture.cjs'), join(copy, 'bird-capture.cjs'));
      copyFileSync(join(dist, 'bird-capture.bundle.js'), join(copy, 'bird-capture.bundle.js'));
      if (cache !== null) writeFileSync(join(copy, cacheFile), cache);
      const root = freshRoot();
      const r = spawnSync(process.execPath, [join(copy, 'bird-capture.cjs'), ...flags()], { env: envFor(root), encoding: 'utf8' });
      expectSuccess({ status: r.status, stdout: r.stdout, stderr: r.stderr });
      const [row] = await duckdbRows(`SELECT cmd FROM ${readParquet(localTableGlob(birdLayout(root), 'invocations'))}`);
      expect(row!.cmd).toBe('git status');
      // A normal run never writes the cache: only the build's training run does.
      if (cache === null) expect(existsSync(join(copy, cacheFile))).toBe(false);
      else expect(readFileSync(join(copy, cacheFile), 'utf8')).toBe(cache);
    }
  });
});

describe('bird-capture leaves out what privacy rules filter', () => {
  it.each([
    ['a command with a leading space', { cmd: ' secret-thing --now' }, {}],
    ['BIRD_DISABLED=1', { cmd: 'ls' }, { BIRD_DISABLED: '1' }],
    ['an ignored command', { cmd: 'bird history -n 3' }, {}],
    ['bird started through npx', { cmd: 'npx bird history -n 3' }, {}],
    ['bird timed', { cmd: 'time bird sql "SELECT 1"' }, {}],
    ['bird by the path to its script', { cmd: './packages/cli/bin/bird.cjs history' }, {}],
    ['an empty command', { cmd: '' }, {}],
  ])('%s: exits 0 and writes nothing', (_name, over, extra) => {
    const root = freshRoot();
    expectSuccess(capture(flags(over), root, extra));
    expectNothingWritten(root);
    expect(filesUnder(root).filter((f) => f.startsWith('spool'))).toEqual([]);
  });

  it.each([
    ['a command with a leading space', { cmd: ' secret-thing --now' }, {}],
    ['BIRD_DISABLED=1', { cmd: 'ls' }, { BIRD_DISABLED: '1' }],
  ])('%s on a machine that never captured: does not even create the root', (_name, over, extra) => {
    const root = freshRoot();
    expectSuccess(capture(flags(over), root, extra));
    expect(existsSync(root)).toBe(false);
  });

  it('honours ignore globs from config.toml', () => {
    const root = freshRoot();
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'config.toml'), '[capture]\nignore = ["vault *"]\n');
    expectSuccess(capture(flags({ cmd: 'vault read secret/x' }), root));
    expectNothingWritten(root);
    expectSuccess(capture(flags({ cmd: 'ls' }), root));
    expect(parquetFiles(birdLayout(root), 'invocations')).toHaveLength(1);
  });

  it('follows an edit of config.toml at the very next command, past the parsed copy it keeps', () => {
    const root = freshRoot();
    mkdirSync(root, { recursive: true });
    const layout = birdLayout(root);
    writeFileSync(layout.config, '[capture]\nignore = ["vault *"]\n');
    expectSuccess(capture(flags({ cmd: 'vault read a' }), root));
    // The built bundle names its parser by a hash of the sources, as every other bundle does.
    expect(JSON.parse(readFileSync(layout.configCache, 'utf8')).parser).toMatch(/^[0-9a-f]{16}$/);
    writeFileSync(layout.config, '[capture]\nignore = ["vaulx *"]\n'); // the same length, at once
    expectSuccess(capture(flags({ cmd: 'vault read a', 'start-us': String(START + 1n) }), root));
    expect(parquetFiles(layout, 'invocations')).toHaveLength(1);
  });
});

describe('bird-capture rejects bad input in one line, writing nothing', () => {
  it.each([
    ['an unknown flag', [...flags(), '--bogus', 'x'], /unknown flag --bogus; usage: bird-capture/],
    ['an unknown flag with a value', [...flags(), '--bogus=x'], /unknown flag --bogus; usage: bird-capture/],
    ['a positional argument', [...flags(), 'extra'], /unexpected argument "extra"; usage: bird-capture/],
    ['a single-dash flag', [...flags(), '-x'], /unexpected argument "-x"; usage: bird-capture/],
    ['a non-numeric --exit', flags({ exit: 'abc' }), /--exit must be a whole number .* not "abc"\.$/],
    ['a fractional --exit', flags({ exit: '1.5' }), /--exit must be a whole number/],
    ['an empty --exit', flags({ exit: '' }), /--exit must be a whole number/],
    ['an --exit beyond int32', flags({ exit: '4294967296' }), /--exit must be a whole number from -2147483648 to 2147483647/],
    ['a non-numeric --start-us', flags({ 'start-us': 'yesterday' }), /--start-us must be a whole number/],
    ['a negative --start-us', [...flags({ 'start-us': undefined }), '--start-us=-1'], /--start-us must be a whole number/],
    ['a value that looks like a flag', flags({ 'start-us': '-1' }), /--start-us needs a value; to pass one that starts with "-", write --start-us=VALUE/],
    ['a flag without its value', ['--cmd'], /--cmd needs a value; usage: bird-capture/],
    ['a flag without its value before another', ['--cmd', '--exit', '0'], /--cmd needs a value; to pass one that starts with "-", write --cmd=VALUE/],
    ['a missing --cmd', flags({ cmd: undefined }), /^bird-capture: missing --cmd; usage:/],
    ['a missing --exit', flags({ exit: undefined }), /missing --exit/],
    ['a missing --start-us', flags({ 'start-us': undefined }), /missing --start-us/],
    ['a missing --session', flags({ session: undefined }), /missing --session/],
    ['an empty --session', flags({ session: '' }), /--session must be a non-empty id/],
    ['--end-us before --start-us', flags({ 'end-us': String(START - 1n) }), /--end-us is before --start-us; pass the time the command finished\.$/],
    ['an unknown --shell', flags({ shell: 'tcsh' }), /--shell must be zsh, bash or fish, not "tcsh"\.$/],
    ['no flags at all', [], /missing --cmd/],
  ])('%s', (_name, args, pattern) => {
    const root = freshRoot();
    const r = capture(args, root);
    expectOneLineError(r, pattern);
    expect(r.status).toBe(2);
    expect(existsSync(root)).toBe(false); // flags are checked before anything touches disk
  });

  it('a BIRD_ROOT under a regular file (unwritable, even for root)', () => {
    const file = join(base, `plain-${++n}`);
    writeFileSync(file, 'x');
    const r = capture(flags(), join(file, 'sub'));
    expectOneLineError(r, /cannot create or write the BIRD root .*sub \(ENOTDIR\): make it writable or point BIRD_ROOT somewhere you can write\.$/);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('a BIRD_ROOT that is a file', () => {
    const file = join(base, `plain-${++n}`);
    writeFileSync(file, 'x');
    const r = capture(flags(), file);
    expectOneLineError(r, /is a file, not a folder: point BIRD_ROOT at a folder\.$/);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('a BIRD_ROOT in a read-only folder (run as an unprivileged user)', () => {
    const parent = join(base, `readonly-${++n}`);
    mkdirSync(parent);
    const isRoot = process.getuid?.() === 0;
    if (isRoot) chownSync(parent, 65534, 65534); // nobody owns it, and even its owner may not write
    chmodSync(parent, 0o500);
    try {
      const options: SpawnSyncOptions = isRoot ? { uid: 65534, gid: 65534 } : {};
      const r = capture(flags(), join(parent, 'bird'), {}, options);
      expectOneLineError(r, /cannot create or write the BIRD root .* \(EACCES\): make it writable or point BIRD_ROOT somewhere you can write\.$/);
      expect(readdirSync(parent)).toEqual([]);
    } finally {
      chmodSync(parent, 0o700);
    }
  });

  it('an existing root whose partition folder is read-only (run as an unprivileged user)', () => {
    const root = freshRoot();
    expectSuccess(capture(flags({ cmd: 'first' }), root));
    const layout = birdLayout(root);
    const partition = join(layout.localData, 'invocations', 'date=2023-11-14');
    const isRoot = process.getuid?.() === 0;
    if (isRoot) {
      chmodSync(join(root, '..'), 0o755);
      chownSync(root, 65534, 65534);
      for (const e of readdirSync(root, { recursive: true, withFileTypes: true })) chownSync(join(e.parentPath, e.name), 65534, 65534);
    }
    chmodSync(partition, 0o500);
    try {
      const r = capture(flags({ cmd: 'second', 'start-us': String(START + 5n) }), root, {}, isRoot ? { uid: 65534, gid: 65534 } : {});
      expectOneLineError(r, /cannot write .*date=2023-11-14\/.*\.parquet \(EACCES\): make .* writable, or point BIRD_ROOT somewhere you can write\.$/);
    } finally {
      chmodSync(partition, 0o700);
    }
    expect(parquetFiles(layout, 'invocations')).toHaveLength(1);
    expect(filesUnder(root).filter((f) => f.includes('.partial'))).toEqual([]);
  });

  it.each([
    ['corrupt TOML', '[storage]\nmode = "parquet\n', /config\.toml is not valid TOML at line 2, column \d+ \(.+\): fix that line, or move the file away and run `bird init`/],
    ['an unknown storage mode', '[storage]\nmode = "sqlite"\n', /config\.toml: storage\.mode must be "parquet" or "duckdb", not "sqlite"; fix it and try again\.$/],
    ['an ignore list of numbers', '[capture]\nignore = [1, 2]\n', /capture\.ignore must be a list of strings/],
  ])('a config.toml with %s', (_name, text, pattern) => {
    const root = freshRoot();
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'config.toml'), text);
    const r = capture(flags(), root);
    expectOneLineError(r, pattern);
    expect(r.status).toBe(1);
    expect(readFileSync(join(root, 'config.toml'), 'utf8')).toBe(text);
    expectNothingWritten(root);
    // The hooks run bird-capture in the background, so the message is also kept where the user can find it.
    expect(readFileSync(birdLayout(root).errorsLog, 'utf8')).toContain(r.stderr.trim().replace(/^bird-capture: /, ''));
  });
});

describe('bird-capture and bad files already in the data folder', () => {
  it('keeps capturing when a truncated or foreign .parquet file is there', async () => {
    const root = freshRoot();
    expectSuccess(capture(flags({ cmd: 'first' }), root));
    const layout = birdLayout(root);
    const partition = join(layout.localData, 'invocations', 'date=2023-11-14');
    const [good] = parquetFiles(layout, 'invocations');
    const truncated = join(partition, 'truncated.parquet');
    copyFileSync(join(layout.localData, 'invocations', good!), truncated);
    truncateSync(truncated, 100);
    writeFileSync(join(partition, 'foreign.parquet'), 'PAR1 this is not parquet at all');
    writeFileSync(join(layout.localData, 'sessions', 'date=2023-11-14', 'empty.parquet'), '');

    expectSuccess(capture(flags({ cmd: 'second', 'start-us': String(START + 1_000n) }), root));
    expectSuccess(capture(flags({ cmd: 'third', session: 'new-session', 'start-us': String(START + 2_000n) }), root));

    const files = parquetFiles(layout, 'invocations');
    expect(files).toHaveLength(5);
    expect(statSync(truncated).size).toBe(100);
    const good3 = files.filter((f) => !/truncated|foreign/.test(f)).map((f) => join(layout.localData, 'invocations', f));
    const rows = await duckdbRows(`SELECT cmd FROM read_parquet([${good3.map((f) => `'${f}'`).join(', ')}]) ORDER BY cmd`);
    expect(rows.map((r) => r.cmd)).toEqual(['first', 'second', 'third']);
  });
});
