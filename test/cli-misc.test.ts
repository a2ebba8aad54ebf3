// End to end: help, version, `bird hook`, start-up without DuckDB, and the workspace bin link.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIRD_BUNDLE, buildBundles, CAPTURE_BUNDLE, expectOneLineError, REPO, Sandbox } from './cli-helpers.ts';

beforeAll(() => buildBundles());

const s = new Sandbox();
afterAll(() => s.cleanup());

/** Polls `check` until it holds; fails with `why()` after 30 s (a bound, not a timing claim). */
async function until(check: () => boolean, why: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(why());
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('help and version', () => {
  it.each([[['--help']], [['-h']], [['help']], [[]]])('bird %j lists every command on stdout', (args) => {
    const run = s.bird(args);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    for (const command of ['init', 'sql', 'history', 'remote add', 'remote list', 'remote remove', 'hook', 'compact']) {
      expect(run.stdout).toContain(`  ${command}`);
    }
  });

  it.each([
    [['help', 'history'], 'usage: bird history [TEXT] [-n N] [--reverse] [--host H] [--source S] [--project] [--format table|csv|json]\n'],
    [['remote', 'add', '-h'], 'usage: bird remote add NAME --type file|s3 --uri URI [--endpoint URL] [--region R] [--read-only] [--no-auto-attach]\n'],
    [['init', '--help'], 'usage: bird init [DIR] [--mode parquet|duckdb] [--client-id ID] [--project]  (DIR: with --project only)\n'],
  ])('bird %j prints that usage', (args, usage) => {
    expect(s.bird(args)).toEqual({ code: 0, stdout: usage, stderr: '' });
  });

  it.each([[['help', 'sql']], [['sql', '--help']]])('bird %j gives the usage, then every relation a query can name and each table\'s columns', (args) => {
    const run = s.bird(args);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^usage: bird sql \["QUERY" \| --file FILE\] \[--attach NAME\|all\] \[--format table\|csv\|json\]  \(no query: read from standard input\)\n/);
    for (const relation of ['main.<table>', 'local.<table>', 'caches.<table>', 'cached_<name>.<table>', 'remote_<name>.<table>', 'remotes_invocations()', 'cwd_invocations()']) expect(run.stdout).toContain(relation);
    expect(run.stdout).toMatch(/^  invocations\(id VARCHAR NOT NULL, session_id VARCHAR NOT NULL, timestamp TIMESTAMPTZ NOT NULL, duration_ms BIGINT, cwd VARCHAR, cmd VARCHAR NOT NULL, .*exit_code INTEGER, .*date DATE NOT NULL\)$/m);
    for (const table of ['sessions', 'outputs', 'events']) expect(run.stdout).toMatch(new RegExp(`^  ${table}\\(`, 'm'));
  });

  it('bird help sql lists the columns DuckDB has: local.<table> without _source, main.<table> with it', () => {
    const box = new Sandbox();
    try {
      expect(box.bird(['init']).code).toBe(0);
      const tables = [...box.bird(['help', 'sql']).stdout.matchAll(/^ {2}(\w+)\((.*)\)$/gm)].map(([, table, columns]) => ({
        table: table!,
        columns: columns!.split(', ').map((c) => c.split(' ')[0]),
      }));
      expect(tables.map((t) => t.table)).toEqual(['invocations', 'sessions', 'outputs', 'events']);
      const query = `SELECT table_schema AS s, table_name AS t, list(column_name ORDER BY ordinal_position) AS c FROM information_schema.columns
                     WHERE table_catalog = current_database() AND table_schema IN ('local', 'main') GROUP BY ALL`;
      const described = JSON.parse(box.bird(['sql', query, '--format', 'json']).stdout) as { s: string; t: string; c: string[] }[];
      const columnsOf = (schema: string, table: string) => described.find((d) => d.s === schema && d.t === table)?.c;
      for (const { table, columns } of tables) {
        expect(columnsOf('local', table), `local.${table}`).toEqual(columns);
        expect(columnsOf('main', table), `main.${table}`).toEqual([...columns, '_source']);
      }
    } finally {
      box.cleanup();
    }
  });

  it('bird help of an unknown command is a usage error', () => {
    expectOneLineError(s.bird(['help', 'frob']), 2, /there is no command "frob"/);
    // A name every object has is not a command either.
    expectOneLineError(s.bird(['help', 'toString']), 2, /there is no command "toString"/);
  });

  it('bird --version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(join(REPO, 'packages/cli/package.json'), 'utf8')) as { version: string };
    expect(s.bird(['--version'])).toEqual({ code: 0, stdout: `bird ${version}\n`, stderr: '' });
  });

  it.each(['--version', '-V'])('bird-sync %s prints its package version, as bird does', (flag) => {
    const { version } = JSON.parse(readFileSync(join(REPO, 'packages/sync-worker/package.json'), 'utf8')) as { version: string };
    const run = spawnSync(process.execPath, [join(REPO, 'packages/sync-worker/dist/bird-sync.cjs'), flag], { env: s.env(), encoding: 'utf8' });
    expect({ code: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({ code: 0, stdout: `bird-sync ${version}\n`, stderr: '' });
  });

  it('runs from the repository root as `npx bird` (the workspace bin link)', () => {
    const run = spawnSync('npx', ['--no-install', 'bird', '--help'], { cwd: REPO, env: s.env(), encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('usage: bird COMMAND');
  });
});

describe('bird hook', () => {
  it.each(['zsh', 'bash', 'fish'] as const)('prints hooks/bird.%s after the layout and the settings config.toml gives now, then its completion', (shell) => {
    const box = new Sandbox();
    mkdirSync(box.root);
    writeFileSync(join(box.root, 'config.toml'), '[search]\nbind_up = true\n');
    const run = box.bird(['hook', shell]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const files = ['install.', 'bird.', 'completions/bird.'].map((name) => readFileSync(join(REPO, 'hooks', `${name}${shell}`), 'utf8'));
    const [installLine, ...rest] = run.stdout.split('\n');
    // The install's folder, the lines a sourced hook reads from install.SHELL, the settings, the hook, its completion.
    expect(rest.join('\n')).toBe(`${files[0]}${shell === 'fish' ? 'set -g __bird_hs ' : shell === 'zsh' ? 'typeset -g __bird_hs=' : '__bird_hs='}'bird-hook-settings 2 bind_keys=1 bind_up=1 output=0'\n${files[1]}${files[2]}`);
    // Run by the shell itself, the lines name the real capture bundle.
    const show = shell === 'fish' ? 'printf %s $__bird_install/$__bird_i_capture' : 'printf %s "$__bird_install/$__bird_i_capture"';
    const env = { PATH: process.env.PATH ?? '', HOME: box.home };
    expect(execFileSync(shell, ['-c', `${installLine}\n${files[0]}\n${show}`], { env, encoding: 'utf8' })).toBe(CAPTURE_BUNDLE);
    box.cleanup();
  });

  it.each([
    ['bash', ['--norc', '--noprofile', '-i'], (bird: string) => `eval "$(node ${bird} hook bash)"`],
    ['zsh', ['-f', '-i'], (bird: string) => `eval "$(node ${bird} hook zsh)"`],
    ['fish', ['--no-config', '-i'], (bird: string) => `node ${bird} hook fish | source`],
  ] as const)('eval of `bird hook %s` in an interactive shell captures what is typed next', async (shell, args, evalLine) => {
    const box = new Sandbox();
    try {
      const pty = await import('node-pty');
      const term = pty.spawn(shell, [...args], { cols: 120, rows: 30, cwd: box.dir, env: box.env() as Record<string, string> });
      let out = '';
      term.onData((d) => (out += d));
      const exited = new Promise<void>((resolve) => term.onExit(() => resolve()));
      const marker = `typed-in-${shell}`;
      term.write(`${evalLine(BIRD_BUNDLE)}\r`);
      term.write(`echo ${marker}\r`);
      await until(() => new RegExp(`[\r\n]${marker}\r?\n`).test(out), () => `no echo from ${shell}: ${JSON.stringify(out)}`);
      term.write('exit\r');
      await exited;
      // The hook hands the record to a background drainer; wait for it to land.
      let rows: unknown[] = [];
      await until(
        () => {
          const run = box.bird(['sql', `SELECT cmd, exit_code, cwd FROM main.invocations WHERE cmd = 'echo ${marker}'`, '--format', 'json']);
          rows = run.code === 0 ? (JSON.parse(run.stdout) as unknown[]) : [];
          return rows.length > 0;
        },
        () => `nothing captured from ${shell}; errors.log: ${existsSync(join(box.root, 'errors.log')) ? readFileSync(join(box.root, 'errors.log'), 'utf8') : '(none)'}`,
      );
      expect(rows).toEqual([{ cmd: `echo ${marker}`, exit_code: 0, cwd: box.dir }]);
    } finally {
      box.cleanup();
    }
  });

  it('prints a hook that bash accepts as it is', () => {
    const file = join(s.dir, 'hook.bash');
    const run = s.bird(['hook', 'bash']);
    expect(run.code).toBe(0);
    writeFileSync(file, run.stdout);
    expect(spawnSync('bash', ['--norc', '-n', file]).status).toBe(0);
  });

  it.each([
    [['hook'], /missing argument; usage: bird hook zsh\|bash\|fish/],
    [['hook', 'tcsh'], /the shell must be zsh, bash or fish, not "tcsh"/],
    [['hook', 'zsh', 'bash'], /unexpected argument "bash"/],
  ])('bird %j is a usage error', (args, message) => {
    expectOneLineError(s.bird(args), 2, message);
  });
});

describe('bird setup', () => {
  it.each([
    ['zsh', {}, '.zshrc'],
    ['bash', {}, '.bashrc'],
    ['fish', { XDG_CONFIG_HOME: 'XDG' }, 'XDG/fish/config.fish'],
  ] as const)('%s: prints the absolute source line for its startup file, and --append adds it once', (shell, extra, file) => {
    const box = new Sandbox();
    try {
      const env = Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, join(box.home, v)]));
      const path = join(box.home, file);
      const shown = path.replace(box.home, '~');
      const line = `source ${join(REPO, 'hooks', `bird.${shell}`)}`;
      expect(box.bird(['setup', shell], { env })).toEqual({
        code: 0,
        stdout: `To capture in every new ${shell}, add this line to ${shown}:\n  ${line}\n(\`bird setup ${shell} --append\` adds it for you.)\n`,
        stderr: '',
      });
      expect(existsSync(path)).toBe(false);
      expect(box.bird(['setup', shell, '--append'], { env })).toEqual({ code: 0, stdout: `Added \`${line}\` to ${shown}: every new ${shell} captures from now on.\n`, stderr: '' });
      expect(box.bird(['setup', shell, '--append'], { env }).stdout).toBe(`${shown} loads bird's hook already (line 2: ${line}); nothing to add.\n`);
      expect(readFileSync(path, 'utf8')).toBe(`# bird: capture every command (added by \`bird setup --append\`)\n${line}\n`);
    } finally {
      box.cleanup();
    }
  });

  it('a shell it does not know is a usage error', () => {
    expectOneLineError(s.bird(['setup', 'tcsh']), 2, /the shell must be zsh, bash or fish, not "tcsh"/);
  });
});

describe('start-up', () => {
  // A preload that reports every module DuckDB consists of, if anything loads it.
  const tracer = join(s.dir, 'trace-duckdb.cjs');
  beforeAll(() => {
    writeFileSync(
      tracer,
      `const Module = require('module'); const load = Module._load;
       Module._load = function (request, ...rest) { if (request.includes('duckdb')) process.stderr.write('DUCKDB-LOADED\\n'); return load.call(this, request, ...rest); };`,
    );
  });
  const traced = (args: string[]) =>
    spawnSync(process.execPath, ['-r', tracer, BIRD_BUNDLE, ...args], { env: s.env(), cwd: s.dir, encoding: 'utf8' });

  it.each([[['--help']], [['--version']], [['hook', 'bash']], [['remote', 'list']], [['history', '-n', 'x']], [['sql', 'SELECT 1', '--format', 'xml']]])(
    'bird %j does not load DuckDB',
    (args) => {
      expect(traced(args).stderr).not.toContain('DUCKDB-LOADED');
    },
  );

  it('bird sql does (so the tracer sees it)', () => {
    expect(s.bird(['init']).code).toBe(0);
    const run = traced(['sql', 'SELECT 42 AS answer', '--format', 'csv']);
    expect(run.stdout).toBe('answer\n42\n');
    expect(run.stderr).toContain('DUCKDB-LOADED');
  });
});

describe('output that cannot be written', () => {
  it('says so in one line and exits 1 when stdout is a full disk (/dev/full)', () => {
    const s = new Sandbox();
    try {
      s.capture({ cmd: 'echo hi', exit: 0, startUs: 1_764_000_000_000_000n });
      const full = openSync('/dev/full', 'w');
      try {
        const r = spawnSync(process.execPath, [BIRD_BUNDLE, 'history'], { env: s.env(), stdio: ['ignore', full, 'pipe'], encoding: 'utf8' });
        expectOneLineError({ code: r.status ?? -1, stdout: '', stderr: r.stderr }, 1, /cannot write the output \(ENOSPC\)/);
      } finally {
        closeSync(full);
      }
    } finally {
      s.cleanup();
    }
  });
});

describe('the parsed config.toml', () => {
  it('is one copy shared by bird-capture and bird: a command after a capture reads it, not rewrites it', () => {
    const box = new Sandbox();
    try {
      // The first capture writes config.toml; the second is the first to read it.
      box.capture({ cmd: 'make', exit: 0, startUs: 1_764_200_000_000_000n });
      box.capture({ cmd: 'make test', exit: 0, startUs: 1_764_200_001_000_000n });
      const cache = join(box.root, 'db', 'config.parsed.json');
      const made = statSync(cache);
      expect(box.bird(['history', '-n', '1'])).toMatchObject({ code: 0, stdout: expect.stringContaining('make') });
      // Rewritten, it would be a new file (written aside and renamed over the old one).
      expect(statSync(cache).ino).toBe(made.ino);
    } finally {
      box.cleanup();
    }
  });
});

describe('bird start-up code cache', () => {
  const dist = join(REPO, 'packages', 'cli', 'dist');
  /** The cache file the loader reads: named by the hash of the bundle it was made from. */
  const cacheName = () => /"(bird\.[0-9a-f]{12}\.cache)"/.exec(readFileSync(join(dist, 'bird.cjs'), 'utf8'))?.[1];

  it('is made by the build for the bundle beside it, and is the only one there', () => {
    const hash = createHash('sha256').update(readFileSync(join(dist, 'bird.bundle.js'))).digest('hex').slice(0, 12);
    expect(cacheName()).toBe(`bird.${hash}.cache`);
    expect(readdirSync(dist).filter((f) => f.endsWith('.cache'))).toEqual([cacheName()]);
    expect(statSync(join(dist, cacheName()!)).size).toBeGreaterThan(0);
  });

  it('a corrupt or missing cache only means a normal compile, and a run never writes it', () => {
    const cacheFile = cacheName()!;
    for (const cache of ['garbage', null]) {
      const copy = mkdtempSync(join(tmpdir(), 'bird-cli-dist-'));
      for (const file of ['bird.cjs', 'bird.bundle.js']) copyFileSync(join(dist, file), join(copy, file));
      if (cache !== null) writeFileSync(join(copy, cacheFile), cache);
      const run = spawnSync(process.execPath, [join(copy, 'bird.cjs'), '__complete', '1', 'bird', 'hi'], { env: s.env(), encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(run.stdout).toMatch(/^history\t/);
      if (cache === null) expect(existsSync(join(copy, cacheFile))).toBe(false);
      else expect(readFileSync(join(copy, cacheFile), 'utf8')).toBe(cache);
    }
  });
});
