// End to end: what the built `bird` prints: big tables, a stdout that is /dev/null or closed, and what a terminal is shown.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { at, BIRD_BUNDLE, buildBundles, inTerminal, sandboxFactory } from './cli-helpers.ts';

beforeAll(() => buildBundles());

const sandbox = sandboxFactory();

describe('large results', () => {
  const s = sandbox();
  beforeAll(() => {
    expect(s.bird(['init']).code).toBe(0);
  });

  it('a table of 150000 rows renders (no call with one argument per row)', () => {
    const run = s.bird(['sql', 'SELECT range AS n, repeat(\'x\', (range % 7)::INTEGER) AS t FROM range(150000)']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(150_002);
    expect(lines[0]).toBe('     n  t');
    expect(lines[2]).toBe('     0');
    expect(lines.at(-1)).toBe(`149999  ${'x'.repeat(149_999 % 7)}`);
  });

  it.each(['csv', 'json'])('and as %s', (format) => {
    const run = s.bird(['sql', 'SELECT * FROM range(150000)', '--format', format]);
    expect(run.code).toBe(0);
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(format === 'csv' ? 150_001 : 150_002);
  });
});

describe('a stdout that is /dev/null, or closed', () => {
  const s = sandbox();
  beforeAll(() => {
    s.capture({ cmd: 'echo hi', exit: 0, startUs: at(0) });
  });
  const viaShell = (redirect: string) => {
    const r = spawnSync('sh', ['-c', `"$0" "$1" history ${redirect}`, process.execPath, BIRD_BUNDLE], { env: s.env(), encoding: 'utf8' });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };

  it.each(['>/dev/null', '1<>/dev/null'])('bird history %s succeeds quietly, write-only or read-write', (redirect) => {
    expect(viaShell(redirect)).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it("bird history under Python's subprocess.DEVNULL (read-write, as systemd's StandardOutput=null) succeeds quietly", () => {
    const script = 'import subprocess, sys; r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE); print(r.returncode, repr(r.stderr.decode()))';
    const r = spawnSync('python3', ['-c', script, process.execPath, BIRD_BUNDLE, 'history'], { env: s.env(), encoding: 'utf8' });
    expect(r.stdout).toBe("0 ''\n");
  });

  // Node hands bird a closed stdout as /dev/null opened read-write, which nothing tells from
  // DEVNULL above: bird takes both for /dev/null (see main.ts), so `>&-` discards the output too.
  it('bird history >&- is taken for /dev/null: exit 0, nothing on stderr', () => {
    expect(viaShell('>&-')).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});

describe('control and bidi characters in stored commands', () => {
  const s = sandbox();
  const CMD = 'printf "\x1b[31mred\x07" # \u202eevil\u202c \u200f\x7f\u0085';
  const ESCAPED_CSV = 'printf "\\x1b[31mred\\x07" # \\u202eevil\\u202c \\u200f\\x7f\\x85';
  const ESCAPED_JSON = 'printf \\"\\u001b[31mred\\u0007\\" # \\u202eevil\\u202c \\u200f\\u007f\\u0085';
  const UNSAFE = /[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

  beforeAll(() => {
    s.capture({ cmd: CMD, exit: 0, startUs: at(0) });
    const stored = s.bird(['sql', 'SELECT cmd FROM main.invocations', '--format', 'json']);
    expect(JSON.parse(stored.stdout)).toEqual([{ cmd: CMD }]);
  });

  it.each([
    ['csv', ['sql', 'SELECT cmd FROM main.invocations', '--format', 'csv'], `cmd\n"${ESCAPED_CSV.replaceAll('"', '""')}"\n`],
    ['json', ['sql', 'SELECT cmd FROM main.invocations', '--format', 'json'], `[\n{"cmd":"${ESCAPED_JSON}"}\n]\n`],
  ])('a terminal is shown them escaped in %s', async (_name, args, expected) => {
    const { code, out } = await inTerminal(s, args);
    expect(code).toBe(0);
    expect(out).toBe(expected);
  });

  it.each([
    ['bird sql', ['sql', 'SELECT cmd FROM main.invocations']],
    ['bird history', ['history']],
  ])('%s shows them escaped in a table whose columns still line up', async (_name, args) => {
    const { code, out } = await inTerminal(s, args);
    expect(code).toBe(0);
    expect(out).not.toMatch(UNSAFE);
    const lines = out.trimEnd().split('\n');
    const row = lines.at(-1)!;
    expect(row.endsWith(ESCAPED_CSV)).toBe(true);
    // The rule under the header is as wide as the escaped cell it sits over.
    expect(lines[1]!.length).toBe(row.length);
  });

  it('the escaped JSON a terminal shows is still the same value', async () => {
    const { out } = await inTerminal(s, ['sql', 'SELECT cmd FROM main.invocations', '--format', 'json']);
    expect(JSON.parse(out)).toEqual([{ cmd: CMD }]);
  });

  it('piped (`| cat` ends at a terminal too), csv is escaped as on a terminal and json is the same exact value', () => {
    const csv = s.bird(['sql', 'SELECT cmd FROM main.invocations', '--format', 'csv']);
    expect(csv.stdout).toBe(`cmd\n"${ESCAPED_CSV.replaceAll('"', '""')}"\n`);
    const json = s.bird(['sql', 'SELECT cmd FROM main.invocations', '--format', 'json']);
    expect(json.stdout).toBe(`[\n{"cmd":"${ESCAPED_JSON}"}\n]\n`);
    expect(JSON.parse(json.stdout)).toEqual([{ cmd: CMD }]);
  });
});
