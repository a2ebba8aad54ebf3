// End to end: `bird doctor` and `bird init --client-id` through the built bundles, on a fresh
// root, a broken one, real lakes (a folder and a bucket on the S3-compatible server) after real
// pushes and pulls, an unreachable endpoint, and a series another machine writes.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, S3RVER_ENV, startS3Server, type S3TestServer } from '@bird/remote/testing';
import { at, buildBundles, expectOneLineError, sandboxFactory, type Run, type Sandbox } from './cli-helpers.ts';

const sandbox = sandboxFactory();
let s3: S3TestServer;
let buckets = 0;

beforeAll(async () => {
  buildBundles();
  s3 = await startS3Server();
  await s3.createBucket('lake');
});
afterAll(async () => s3?.stop());

/** The lines of a doctor run about `topic` (the word before the first colon of each line's text). */
const linesAbout = (run: Run, topic: string) => run.stdout.split('\n').filter((l) => l.slice(6).startsWith(`${topic}:`));

/** A lake of `kind`, and the flags `bird remote add` takes for it. */
function lake(kind: 'file' | 's3'): string[] {
  if (kind === 'file') return ['--type', 'file', '--uri', mkdtempSync(join(tmpdir(), 'bird-doctor-lake-'))];
  return ['--type', 's3', '--uri', `s3://lake/doctor${++buckets}`, '--endpoint', s3.endpoint];
}

interface Machine {
  readonly s: Sandbox;
  /** `env`: the machine's shells' environment, S3 test credentials included. */
  readonly env: Record<string, string>;
  run(args: string[], more?: Record<string, string>): Run;
}

/** A machine: a sandbox whose every bird run and capture carries `env` and the S3 test credentials. */
function machine(env: Record<string, string> = {}): Machine {
  const s = sandbox();
  const all = { ...S3RVER_ENV, ...env };
  return { s, env: all, run: (args, more = {}) => s.bird(args, { env: { ...all, ...more } }) };
}

/** `n` commands captured through bird-capture, in one session (so one sessions row the first time). */
function capture(m: Machine, n: number, from = 0): void {
  for (let i = 0; i < n; i++) m.s.capture({ cmd: `make step${from + i}`, exit: 0, startUs: at(from + i), env: m.env });
}

describe('bird doctor', () => {
  it('a fresh root: says there is no store yet, creates nothing, exits 0', () => {
    const { s, run } = machine();
    const r = run(['doctor']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(linesAbout(r, 'store')).toEqual([`warn  store: none yet at ${s.root} (BIRD_ROOT); \`bird init\` makes it, and so does the first command a hooked shell captures`]);
    expect(linesAbout(r, 'client id')).toEqual(['ok    client id: tester@box (from BIRD_CLIENT_ID); not in config.toml yet (`bird init` or the first push writes it, so that shells and cron agree)']);
    expect(linesAbout(r, 'hook')).toEqual([expect.stringMatching(/^warn {2}hook: not hooked: no hook has set BIRD_HOOKED/)]);
    expect(existsSync(s.root)).toBe(false);
  });

  it('a broken config.toml: FAILs naming the line, the remotes are not known, exit 1', () => {
    const { s, run } = machine();
    expect(run(['init']).code).toBe(0);
    writeFileSync(join(s.root, 'config.toml'), 'client_id = "tester@box"\n[storage\nmode = "parquet"\n');
    const r = run(['doctor']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(linesAbout(r, 'config')).toEqual([expect.stringMatching(/^FAIL {2}config: .*config\.toml is not valid TOML at line 2, column \d+/)]);
    expect(linesAbout(r, 'remotes')).toEqual(['FAIL  remotes: not known until config.toml reads (see the config line)']);
    expect(linesAbout(r, 'store')).toEqual([`ok    store: ${s.root} (BIRD_ROOT), mode unknown until config.toml reads`]);
  });

  it('BIRD_CLIENT_ID differing from config.toml is a warning that names both ids and the fix', () => {
    const { run } = machine();
    expect(run(['init']).code).toBe(0);
    const r = run(['doctor'], { BIRD_CLIENT_ID: 'other@box' });
    expect(r.code).toBe(0);
    expect(linesAbout(r, 'client id')).toEqual([
      'warn  client id: BIRD_CLIENT_ID=other@box here, but config.toml says tester@box, which cron and every process without BIRD_CLIENT_ID use: rows go to two series. Make them one: `bird init --client-id other@box`, or unset BIRD_CLIENT_ID',
    ]);
    // The same id both ways is no warning.
    expect(linesAbout(run(['doctor']), 'client id')).toEqual(['ok    client id: tester@box (from BIRD_CLIENT_ID)']);
  });

  describe.each(['file', 's3'] as const)('a %s remote', (kind) => {
    it('after a push: the last push, the rows captured since, a teammate\'s rows until they are pulled', () => {
      const flags = lake(kind);
      const me = machine();
      const mate = machine({ BIRD_CLIENT_ID: 'mate@desk' });
      for (const m of [me, mate]) expect(m.run(['remote', 'add', 'team', ...flags]).code).toBe(0);

      capture(me, 3);
      const before = me.run(['doctor']);
      expect(before.code).toBe(0);
      expect(linesAbout(before, 'team')).toEqual([
        expect.stringMatching(/^ok {4}team: reachable: /),
        expect.stringMatching(/^ok {4}team: credentials/),
        'ok    team: index: none yet (no bird has pushed here; pulls list the lake)',
        'ok    team: last push never; 4 rows not pushed yet (invocations: 3, sessions: 1)',
        'ok    team: last pull never',
      ]);

      expect(me.run(['push', '--remote', 'team'])).toMatchObject({ code: 0, stderr: '' });
      capture(me, 2, 10);
      capture(mate, 5);
      expect(mate.run(['push', '--remote', 'team'])).toMatchObject({ code: 0, stderr: '' });
      const after = me.run(['doctor']);
      expect(after.stderr).toBe('');
      expect(after.code).toBe(0);
      expect(linesAbout(after, 'team').slice(2)).toEqual([
        'ok    team: index: intact (2 series)',
        expect.stringMatching(/^ok {4}team: last push \d+s ago; 2 rows not pushed yet \(invocations: 2\)$/),
        'ok    team: last pull never; 6 rows in 1 index segment of 1 teammate not pulled yet',
      ]);

      expect(me.run(['pull', '--remote', 'team'])).toMatchObject({ code: 0, stderr: '' });
      expect(me.run(['push', '--remote', 'team'])).toMatchObject({ code: 0, stderr: '' });
      expect(linesAbout(me.run(['doctor']), 'team').slice(3)).toEqual([
        expect.stringMatching(/^ok {4}team: last push \d+s ago; nothing left to push$/),
        expect.stringMatching(/^ok {4}team: last pull \d+s ago; nothing new from teammates$/),
      ]);
    });
  });

  it('an unreachable S3 endpoint FAILs its reachability, and the rest is still reported; exit 1', async () => {
    const { run } = machine();
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    expect(run(['remote', 'add', 'gone', '--type', 's3', '--uri', 's3://lake/gone', '--endpoint', endpoint]).code).toBe(0);
    const r = run(['doctor']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(linesAbout(r, 'gone')).toEqual([
      `FAIL  gone: reachable: ${endpoint} is not reachable (ECONNREFUSED); check the remote's endpoint and your network.`,
      'ok    gone: last push never; nothing left to push',
      'ok    gone: last pull never',
    ]);
    expect(linesAbout(r, 'store')).toEqual([expect.stringMatching(/^ok {4}store: /)]);
  });

  it('a series another machine writes: FAIL with the push\'s sentence and the commands that settle it', () => {
    const flags = lake('file');
    const first = machine({ BIRD_CLIENT_ID: 'same@id' });
    const second = machine({ BIRD_CLIENT_ID: 'same@id' });
    for (const m of [first, second]) expect(m.run(['remote', 'add', 'team', ...flags]).code).toBe(0);
    capture(first, 2);
    expect(first.run(['push', '--remote', 'team']).code).toBe(0);
    capture(second, 1);
    expect(second.run(['push', '--remote', 'team']).code).toBe(1);
    const r = second.run(['doctor']);
    expect(r.code).toBe(1);
    expect(linesAbout(r, 'team')).toContainEqual(
      expect.stringMatching(
        /^FAIL {2}team: series same@id on remote team \(last written from [^)]+\) holds \d+ rows this store does not have: another machine already uses client id same@id, so nothing was pushed to it\. Give this machine its own id \(`bird init --client-id NAME`\), or, if the other machine no longer writes it, run `bird remote repair team` here\.$/,
      ),
    );
    // The machine that writes it is fine.
    expect(first.run(['doctor']).code).toBe(0);
  });

  it('--json: the facts and the lines, ok false when a line FAILs; control characters in data escaped in text', () => {
    const m = machine({ BIRD_CLIENT_ID: 'tester@box' });
    const { s, run } = m;
    expect(run(['remote', 'add', 'team', ...lake('file')]).code).toBe(0);
    capture(m, 1);
    const r = run(['doctor', '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({
      ok: true,
      version: expect.any(String),
      hook: { state: 'none', disabled: false },
      store: { root: s.root, rootFrom: 'BIRD_ROOT', state: 'present', mode: 'parquet', bytes: { own: expect.any(Number), index: expect.any(Number), total: expect.any(Number) } },
      config: { state: 'ok', remotes: 1, remoteProblems: [] },
      clientId: { id: 'tester@box', origin: 'env', configured: 'tester@box', problem: null },
      spool: { problem: null, records: 0, drainer: null },
      index: { state: expect.any(String) },
      remotes: [
        {
          name: 'team',
          type: 'file',
          mode: 'read_write',
          pushable: true,
          checks: [{ check: 'reachable', status: 'ok' }, { check: 'credentials', status: 'ok' }, { check: 'index', status: 'ok' }],
          busy: false,
          lastPush: null,
          lastPull: null,
          series: [],
          unpushed: { rows: 2, byTable: { invocations: 1, sessions: 1 } },
          // Nobody pushed yet: the lake has no index to count from (pulls list it whole).
          notPulled: null,
          listedSeries: [],
        },
      ],
    });
    expect(json.lines[0]).toMatchObject({ status: 'warn', topic: 'hook' });
    expect(json.lines.map((l: { topic: string }) => l.topic)).toEqual(['hook', 'store', 'space', 'config', 'client-id', 'spool', 'output', 'index', 'remote team', 'remote team', 'remote team', 'remote team', 'remote team']);

    const odd = run(['doctor'], { BIRD_CLIENT_ID: 'bad\x1b[31mid' });
    expect(odd.code).toBe(1);
    expect(linesAbout(odd, 'client id')).toEqual(['FAIL  client id: "bad\\u001b[31mid" cannot name a lake series (it holds "/", "\\", a glob character (* ? [ ] { }), a space or a control character), so its rows cannot be pushed; set BIRD_CLIENT_ID to a plain name such as you@laptop']);
    expect(odd.stdout).not.toContain('\x1b');
    // A path is data too: a newline or an escape sequence in it cannot forge a line or colour one.
    const strange = join(s.dir, 'new\nFAIL  line\x1b[31m');
    const where = run(['doctor'], { BIRD_ROOT: strange });
    expect(where.stdout).not.toContain('\x1b');
    expect(where.stdout.split('\n').filter((l) => l !== '').every((l) => /^(ok|warn|FAIL) /.test(l))).toBe(true);
    expect(linesAbout(where, 'store')).toEqual([`warn  store: none yet at ${s.dir}/new\\nFAIL  line\\x1b[31m (BIRD_ROOT); \`bird init\` makes it, and so does the first command a hooked shell captures`]);
    const oddJson = JSON.parse(run(['doctor', '--json'], { BIRD_CLIENT_ID: 'bad\x1b[31mid' }).stdout);
    expect(oddJson).toMatchObject({ ok: false, clientId: { id: 'bad\x1b[31mid' } });
  });

  it('takes no arguments but --json', () => {
    const { run } = machine();
    expectOneLineError(run(['doctor', 'extra']), 2, /usage: bird doctor \[--json\]/);
    expectOneLineError(run(['doctor', '--verbose']), 2, /--verbose/);
    expect(run(['doctor', '--help'])).toMatchObject({ code: 0, stdout: 'usage: bird doctor [--json]\n' });
  });
});

describe('bird init --client-id', () => {
  const configId = (s: Sandbox) => /^client_id = "(.*)"$/m.exec(readFileSync(join(s.root, 'config.toml'), 'utf8'))?.[1];

  it('sets config.toml\'s client_id, says what changed, and is idempotent', () => {
    const { s, run } = machine();
    expect(run(['init'])).toMatchObject({ code: 0, stderr: '' });
    expect(configId(s)).toBe('tester@box');
    const changed = run(['init', '--client-id', 'me@laptop'], { BIRD_CLIENT_ID: '' });
    expect(changed).toMatchObject({ code: 0, stderr: '' });
    expect(changed.stdout).toMatch(/\nclient id: tester@box → me@laptop; rows captured before keep tester@box and stay in its series\.\n$/);
    expect(configId(s)).toBe('me@laptop');
    const config = readFileSync(join(s.root, 'config.toml'), 'utf8');
    const again = run(['init', '--client-id', 'me@laptop'], { BIRD_CLIENT_ID: '' });
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout).toMatch(/\nclient id: me@laptop \(unchanged\)\.\n$/);
    expect(readFileSync(join(s.root, 'config.toml'), 'utf8')).toBe(config);
    // cron (no BIRD_CLIENT_ID) now agrees: doctor says where the id comes from.
    expect(linesAbout(run(['doctor'], { BIRD_CLIENT_ID: '' }), 'client id')).toEqual(['ok    client id: me@laptop (from config.toml)']);
  });

  it('warns when BIRD_CLIENT_ID in this environment still overrides the new id', () => {
    const { run } = machine();
    const r = run(['init', '--client-id', 'me@laptop']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('bird: warning: BIRD_CLIENT_ID=tester@box in this environment overrides it for the commands of shells that export it; unset it there, or set it to me@laptop.\n');
  });

  it('an id that cannot name a series is a usage error, and nothing is created', () => {
    const { s, run } = machine();
    expectOneLineError(run(['init', '--client-id', 'me/laptop']), 2, /^bird: "me\/laptop" cannot be a client id \(it holds "\/", .*\); choose a plain name such as you@laptop\.$/);
    expect(existsSync(s.root)).toBe(false);
    expectOneLineError(run(['init', '--client-id', '']), 2, /^bird: "" cannot be a client id \(it is empty\)/);
  });

  it('bird init without it writes the id in force into a config.toml that lacks one', () => {
    const { s, run } = machine();
    expect(run(['init']).code).toBe(0);
    writeFileSync(join(s.root, 'config.toml'), readFileSync(join(s.root, 'config.toml'), 'utf8').replace(/^client_id = .*\n/m, ''));
    expect(configId(s)).toBeUndefined();
    const r = run(['init'], { BIRD_CLIENT_ID: 'shell@id' });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/\nclient id: shell@id, now in .*config\.toml, so that shells and cron agree\.\n$/);
    expect(configId(s)).toBe('shell@id');
  });
});
