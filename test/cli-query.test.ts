// End to end: the built `bird` bundle over data written by the real `bird-capture`.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { at, BIRD_BUNDLE, buildBundles, expectOneLineError, inTerminal, REPO, sandboxFactory } from './cli-helpers.ts';

beforeAll(() => buildBundles());

const sandbox = sandboxFactory();

describe('bird history and bird sql over captured commands', () => {
  const s = sandbox();
  const LONG = `echo ${'x'.repeat(100 * 1024)}`;

  beforeAll(() => {
    // The first capture makes only the root and config.toml; bird must create the catalog.
    s.capture({ cmd: 'echo "hello, world"', exit: 0, startUs: at(0), durationMs: 250, cwd: '/tmp' });
    s.capture({ cmd: 'for i in 1 2; do\n  echo $i\ndone', exit: 3, startUs: at(60), durationMs: 65_000, cwd: join(s.home, 'src') });
    s.capture({ cmd: "grep 'naïve 日本' ~/notes", exit: 1, startUs: at(120), durationMs: 1250, cwd: s.home });
    s.capture({ cmd: LONG, exit: 0, startUs: at(180), durationMs: 2 });
  });

  it('creates the catalog on first use of a root made by a capture', () => {
    expect(existsSync(join(s.root, 'db', 'bird.duckdb'))).toBe(false);
    const run = s.bird(['sql', 'SELECT count(*) AS n FROM main.invocations', '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual([{ n: 4 }]);
    expect(existsSync(join(s.root, 'db', 'bird.duckdb'))).toBe(true);
  });

  it('bird history lists recent commands newest first, readable', () => {
    const run = s.bird(['history', '-n', '3']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^time\s+exit\s+duration\s+cwd\s+cmd$/);
    expect(lines[1]).toMatch(/^-+( +-+){4}$/);
    expect(lines.slice(2)).toEqual([
      `2025-11-26 23:36:20     0       2ms  /tmp   ${LONG}`,
      "2025-11-26 23:35:20     1      1.2s  ~      grep 'naïve 日本' ~/notes",
      '2025-11-26 23:34:20     3     1m05s  ~/src  for i in 1 2; do',
      '                                              echo $i',
      '                                            done',
    ]);
  });

  it('bird history defaults to the most recent 20 and -n limits', () => {
    // Header and rule, four rows, and the loop's two more lines.
    expect(s.bird(['history']).stdout.trimEnd().split('\n')).toHaveLength(2 + 4 + 2);
    const one = s.bird(['history', '-n1']).stdout.trimEnd().split('\n');
    expect(one).toHaveLength(3);
    expect(one[2]).toContain('echo xxx');
  });

  it('bird history TEXT keeps the commands containing it; --reverse lists them oldest first', () => {
    const cmds = (args: string[]) => {
      const run = s.bird(['history', '--format', 'json', ...args]);
      expect(run.stderr).toBe('');
      return (JSON.parse(run.stdout) as { cmd: string }[]).map((r) => r.cmd);
    };
    const LOOP = 'for i in 1 2; do\n  echo $i\ndone';
    expect(cmds(['echo'])).toEqual([LONG, LOOP, 'echo "hello, world"']);
    expect(cmds(['ECHO'])).toEqual([]); // an uppercase letter makes case matter
    expect(cmds(['naïve', '日本'])).toEqual(["grep 'naïve 日本' ~/notes"]);
    expect(cmds(['-n', '2', '--reverse'])).toEqual(["grep 'naïve 日本' ~/notes", LONG]);
    expect(cmds(['echo', '-r', '-n', '2'])).toEqual([LOOP, LONG]);
  });

  it('bird sql --format json gives an array of objects with exact values', () => {
    const run = s.bird(['sql', 'SELECT cmd, exit_code, duration_ms, cwd, "timestamp", shell FROM main.invocations ORDER BY "timestamp"', '--format', 'json']);
    expect(run.code).toBe(0);
    const rows = JSON.parse(run.stdout) as Record<string, unknown>[];
    expect(rows.map((r) => r.cmd)).toEqual(['echo "hello, world"', 'for i in 1 2; do\n  echo $i\ndone', "grep 'naïve 日本' ~/notes", LONG]);
    expect(rows[1]).toEqual({
      cmd: 'for i in 1 2; do\n  echo $i\ndone',
      exit_code: 3,
      duration_ms: 65_000,
      cwd: join(s.home, 'src'),
      timestamp: '2025-11-26T23:34:20.000000Z',
      shell: 'bash',
    });
  });

  it('bird sql reads the query from --file, or from standard input when none is given', () => {
    const file = join(s.dir, 'query.sql');
    writeFileSync(file, "SELECT count(*) AS n\nFROM main.invocations\nWHERE cmd LIKE 'echo%';\n");
    expect(s.bird(['sql', '--file', file, '--format', 'csv'])).toEqual({ code: 0, stdout: 'n\n2\n', stderr: '' });
    expect(s.bird(['sql', '--format', 'csv'], { input: 'SELECT 40 + 2 AS answer' })).toEqual({ code: 0, stdout: 'answer\n42\n', stderr: '' });
    expectOneLineError(s.bird(['sql', '--file', join(s.dir, 'nope.sql')]), 2, /cannot read the query file .*nope\.sql \(ENOENT\); check the path\.$/);
    expectOneLineError(s.bird(['sql', 'SELECT 1', '--file', file]), 2, /give the query or --file, not both/);
  });

  it('bird sql --format csv quotes as RFC 4180 and leaves NULL empty', () => {
    const run = s.bird(['sql', `SELECT cmd, exit_code, NULL AS nothing FROM main.invocations WHERE exit_code <> 0 OR cmd LIKE 'echo "%' ORDER BY "timestamp"`, '--format', 'csv']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      ['cmd,exit_code,nothing', '"echo ""hello, world""",0,', '"for i in 1 2; do\n  echo $i\ndone",3,', "grep 'naïve 日本' ~/notes,1,", ''].join('\n'),
    );
  });

  it('bird sql prints an aligned table by default: numbers right, NULL shown, time readable', () => {
    const run = s.bird(['sql', `SELECT exit_code, cmd, NULL AS note, "timestamp" FROM main.invocations WHERE cmd NOT LIKE 'echo x%' ORDER BY "timestamp"`]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        'exit_code  cmd                                note  timestamp',
        '---------  ---------------------------------  ----  -------------------',
        '        0  echo "hello, world"                NULL  2025-11-26 23:33:20',
        '        3  for i in 1 2; do\\n  echo $i\\ndone  NULL  2025-11-26 23:34:20',
        "        1  grep 'naïve 日本' ~/notes          NULL  2025-11-26 23:35:20",
        '',
      ].join('\n'),
    );
  });

  it('never cuts cells when stdout is a pipe', () => {
    const run = s.bird(['sql', `SELECT cmd FROM main.invocations WHERE cmd LIKE 'echo x%'`]);
    expect(run.stdout).toContain(LONG);
  });

  it('fits the table to the terminal when stdout is a TTY, giving the command the room', async () => {
    const { code, out } = await inTerminal(s, ['history'], { cols: 60 });
    expect(code).toBe(0);
    const lines = out.split('\n').filter((l) => l !== '');
    expect(lines.length).toBe(2 + 4 + 2);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(60);
    // The time gives way to the command (month-day hour:minute), which gets 40% of the width.
    expect(lines[2]).toMatch(/^11-26 23:36 +0 +2ms +\/tmp +echo x{18}…$/);
  });

  it('in a narrow terminal keeps the end of a long folder, from a whole folder name on', async () => {
    const t = sandbox();
    const deep = join(t.home, 'work', 'clients', 'acme-corporation', 'platform', 'services', 'billing');
    t.capture({ cmd: 'make test', exit: 0, startUs: at(0), cwd: deep });
    t.capture({ cmd: 'ls', exit: 0, startUs: at(1), cwd: '/tmp' });
    const { code, out } = await inTerminal(t, ['history', '--reverse'], { cols: 64 });
    expect(code).toBe(0);
    const lines = out.split('\n').filter((l) => l !== '');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(64);
    expect(lines[2]).toMatch(/^2025-11-26 23:33:20 +0 +5ms +…\/(\w[\w-]*\/)*billing +make test$/);
    // Piped, nothing is cut: the folder is there whole, with ~ for HOME.
    expect(t.bird(['history', '--reverse']).stdout.split('\n')[2]).toContain('~/work/clients/acme-corporation/platform/services/billing  make test');
  });

  it('shows DuckDB\'s message for SQL errors, one line, exit 1', () => {
    expectOneLineError(s.bird(['sql', 'SELEC 1']), 1, /^bird: SQL error: Parser Error: syntax error at or near "SELEC"/);
    expectOneLineError(s.bird(['sql', 'SELECT nope FROM main.invocations']), 1, /Binder Error: .*"nope"/);
    expectOneLineError(s.bird(['sql', 'SELECT * FROM no_such_table']), 1, /Catalog Error: .*no_such_table/);
  });
});

describe('bad input', () => {
  const s = sandbox();
  beforeAll(() => {
    s.capture({ cmd: 'true', exit: 0, startUs: at(0) });
  });

  it.each([
    [['history', '-n', '0'], /-n must be a whole number of at least 1, not "0"/],
    [['history', '-n', 'ten'], /-n must be a whole number/],
    [['history', '-n', '1.5'], /-n must be a whole number/],
    [['history', '-n'], /-n needs a value/],
    [['history', '--bogus'], /unknown option --bogus/],
    [['history', '--reverse=yes'], /--reverse does not take a value/],
    [['sql'], /missing argument; usage: bird sql/],
    [['sql', '  '], /the query is empty/],
    [['sql', 'SELECT 1', 'SELECT 2'], /unexpected argument "SELECT 2"/],
    [['sql', 'SELECT 1', '--format', 'xml'], /--format must be table, csv or json, not "xml"/],
    [['sql', 'SELECT 1', '--format'], /--format needs a value/],
    [['sql', 'SELECT 1', '--limit', '3'], /unknown option --limit/],
    [['init', '--mode', 'sqlite'], /--mode must be parquet or duckdb, not "sqlite"/],
    [['frobnicate'], /unknown command "frobnicate"; run `bird --help`/],
    [['--frob'], /unknown option --frob/],
  ])('bird %j → usage error (exit 2)', (args, pattern) => {
    expectOneLineError(s.bird(args), 2, pattern);
  });

  it.each(['push', 'pull'])('bird %s --remote nope names the missing remote (exit 2)', (name) => {
    expectOneLineError(s.bird([name, '--remote', 'nope']), 2, /^bird: there is no remote named "nope"; `bird remote list` shows the remotes\.$/);
  });

  it('in a shell that sourced a hook, no store yet is an empty history, and the rest say the hook makes it', () => {
    const notYet = join(s.dir, 'not-yet');
    // bash stays bird's parent (`; exit $?` keeps it from exec'ing bird) and exports the marker its hook would.
    const inHookedBash = (args: string[], env: Record<string, string> = {}) => {
      const script = `export BIRD_HOOKED=bash:$$; "$0" "$@"; exit $?`;
      const r = spawnSync('bash', ['-c', script, process.execPath, BIRD_BUNDLE, ...args], { env: s.env({ BIRD_ROOT: notYet, ...env }), encoding: 'utf8' });
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    };
    expect(inHookedBash(['history'])).toEqual({ code: 0, stdout: "No commands yet: this shell's hook records each command when it finishes (bird's own commands are not recorded).\n", stderr: '' });
    expect(JSON.parse(inHookedBash(['history', '--format', 'json']).stdout)).toEqual([]);
    expect(inHookedBash(['stats'])).toEqual({ code: 0, stdout: 'No commands yet.\n', stderr: '' });
    expectOneLineError(inHookedBash(['sql', 'SELECT 1']), 1, /there is no BIRD store at .*not-yet yet: this shell's hook makes it when it records its first command \(bird's own commands are not recorded\)/);
    // With capture off, the hook makes nothing: the usual sentence.
    expectOneLineError(inHookedBash(['history'], { BIRD_DISABLED: '1' }), 1, /there is no BIRD store at .*not-yet: run `bird init`/);
    expect(existsSync(notYet)).toBe(false);
  });

  it('a missing BIRD_ROOT is an error for the read commands, and creates nothing', () => {
    const missing = join(s.dir, 'nowhere');
    for (const args of [['history'], ['sql', 'SELECT 1']]) {
      expectOneLineError(s.bird(args, { env: { BIRD_ROOT: missing } }), 1, /there is no BIRD store at .*nowhere: run `bird init`/);
    }
    expect(existsSync(missing)).toBe(false);
  });

  it('a BIRD_ROOT that is a file, or under a file, is refused', () => {
    const file = join(s.dir, 'a-file');
    writeFileSync(file, 'x');
    expectOneLineError(s.bird(['history'], { env: { BIRD_ROOT: file } }), 1, /is a file, not a folder/);
    expectOneLineError(s.bird(['init'], { env: { BIRD_ROOT: file } }), 1, /is a file, not a folder/);
    expectOneLineError(s.bird(['init'], { env: { BIRD_ROOT: join(file, 'root') } }), 1, /cannot create or write the BIRD root .*ENOTDIR/);
    expectOneLineError(s.bird(['remote', 'add', 't', '--type', 'file', '--uri', '/x'], { env: { BIRD_ROOT: join(file, 'root') } }), 1, /cannot create or write/);
  });

  it('a corrupt config.toml is named, with what to do, by every command that reads it', () => {
    const c = sandbox();
    c.capture({ cmd: 'true', exit: 0, startUs: at(0) });
    writeFileSync(join(c.root, 'config.toml'), '[storage\nmode = "parquet"\n');
    for (const args of [['history'], ['sql', 'SELECT 1'], ['init'], ['remote', 'list'], ['remote', 'add', 'x', '--type', 'file', '--uri', '/x']]) {
      expectOneLineError(c.bird(args), 1, /config\.toml is not valid TOML at line 1/);
    }
    expect(readFileSync(join(c.root, 'config.toml'), 'utf8')).toBe('[storage\nmode = "parquet"\n');
  });

  it('a catalog held by another process: the store waits, then bird says so in one line', async () => {
    const c = sandbox();
    expect(c.bird(['init']).code).toBe(0);
    const { spawn } = await import('node:child_process');
    const holder = spawn(
      process.execPath,
      ['-e', `const { DuckDBInstance } = require('@duckdb/node-api');
        DuckDBInstance.create(${JSON.stringify(join(c.root, 'db', 'bird.duckdb'))}).then(() => { console.log('held'); setInterval(() => {}, 1000); });`],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve) => holder.stdout!.on('data', () => resolve()));
      const run = c.bird(['sql', 'SELECT 1'], { env: { BIRD_LOCK_TIMEOUT_MS: '300' } });
      expect(run.code).not.toBe(0);
      expectOneLineError(run, run.code, /held by another bird process.*try again/);
    } finally {
      holder.kill('SIGKILL');
    }
  });
});

describe('bird init', () => {
  it('creates a parquet store, is idempotent and keeps the data', () => {
    const s = sandbox();
    const first = s.bird(['init']);
    expect(first).toEqual({ code: 0, stdout: `Created a BIRD store in parquet mode at ${s.root}.\n`, stderr: '' });
    s.capture({ cmd: 'make test', exit: 0, startUs: at(0) });
    const again = s.bird(['init']);
    expect(again).toEqual({ code: 0, stdout: `The BIRD store at ${s.root} is ready (parquet mode); nothing was changed.\n`, stderr: '' });
    expect(s.bird(['init', '--mode', 'parquet']).code).toBe(0);
    expect(JSON.parse(s.bird(['sql', 'SELECT cmd FROM main.invocations', '--format', 'json']).stdout)).toEqual([{ cmd: 'make test' }]);
  });

  it('refuses another mode than the existing store, and changes nothing', () => {
    const s = sandbox();
    expect(s.bird(['init']).code).toBe(0);
    const config = readFileSync(join(s.root, 'config.toml'), 'utf8');
    expectOneLineError(s.bird(['init', '--mode', 'duckdb']), 2, /already exists in parquet mode/);
    expect(readFileSync(join(s.root, 'config.toml'), 'utf8')).toBe(config);
  });

  it('creates a duckdb store when asked, and keeps that mode without --mode', () => {
    const s = sandbox();
    expect(s.bird(['init', '--mode', 'duckdb']).stdout).toBe(`Created a BIRD store in duckdb mode at ${s.root}.\n`);
    expect(s.bird(['init']).stdout).toMatch(/is ready \(duckdb mode\)/);
    expectOneLineError(s.bird(['init', '--mode', 'parquet']), 2, /already exists in duckdb mode/);
    const empty = s.bird(['history']);
    expect(empty.code).toBe(0);
    expect(empty.stdout.split('\n')[0]).toMatch(/^time\s+exit/);
  });
});
