// `bird run` end to end, in both storage modes: the real bird bundle runs real commands, passes
// their output through, stores it (rows and blobs), prints it back, and forgets it.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { birdLayout, loadConfig, STORAGE_MODES } from '@bird/core';
import { storageModeOf } from '@bird/store';
import { outputRowId } from '@bird/capture/record-output';
import { event, invocation, session } from '../packages/store/src/testing/fixtures.ts';
import { at, BIRD_BUNDLE, buildBundles, Sandbox } from './cli-helpers.ts';
import { filesUnder } from './support/files.ts';
import { KillWindow } from './support/kill-window.ts';

beforeAll(() => buildBundles());

interface RawRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
}

/** The built bird with its output as bytes (both streams pipes, so `bird run` stores both). */
function birdRaw(box: Sandbox, args: string[], env: Record<string, string> = {}): RawRun {
  const result = spawnSync(process.execPath, [BIRD_BUNDLE, ...args], { env: box.env(env), cwd: box.dir, input: '', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return { code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

function sqlJson(box: Sandbox, query: string): Record<string, unknown>[] {
  const run = box.bird(['sql', query, '--format', 'json']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Record<string, unknown>[];
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** 3 MiB that do not repeat within a MiB, so the head and the tail differ from the middle. */
function bigBytes(): Buffer {
  const bytes = Buffer.alloc(3 * 1024 * 1024);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + (i >> 10) + (i >> 20) * 31) & 255;
  return bytes;
}

function freshStore(mode: string): Sandbox {
  const box = new Sandbox();
  expect(box.bird(['init', '--mode', mode]).code).toBe(0);
  return box;
}

/** The id of the newest command whose text is `cmd`. */
function idOf(box: Sandbox, cmd: string): string {
  const rows = sqlJson(box, `SELECT id FROM main.invocations WHERE cmd = '${cmd.replaceAll("'", "''")}' ORDER BY "timestamp" DESC LIMIT 1`);
  expect(rows, `a command ${cmd} is stored`).toHaveLength(1);
  return String(rows[0]!.id);
}

describe.each(STORAGE_MODES)('bird run, %s mode', (mode) => {
  it('exits with the command’s status, passes both streams through, stores them, prints them back', () => {
    const box = freshStore(mode);
    const run = birdRaw(box, ['run', '--', 'sh', '-c', 'printf out; printf err >&2; exit 3']);
    expect(run.code).toBe(3);
    expect(run.stdout.toString()).toBe('out');
    expect(run.stderr.toString()).toBe('err');

    const [command] = sqlJson(box, 'SELECT id, cmd, exit_code, cwd, client_id, hostname, session_id, duration_ms FROM main.invocations');
    expect(command).toMatchObject({ cmd: `sh -c 'printf out; printf err >&2; exit 3'`, exit_code: 3, cwd: box.dir, client_id: 'tester@box' });
    expect(String(command!.session_id)).toMatch(/-run-/);
    const outputs = sqlJson(box, 'SELECT * FROM outputs ORDER BY stream DESC');
    expect(outputs).toEqual([
      expect.objectContaining({ invocation_id: command!.id, stream: 'stdout', byte_length: 3, storage_type: 'inline', storage_ref: 'out', content_hash: sha256(Buffer.from('out')) }),
      expect.objectContaining({ invocation_id: command!.id, stream: 'stderr', byte_length: 3, storage_type: 'inline', storage_ref: 'err', content_hash: sha256(Buffer.from('err')) }),
    ]);

    const back = birdRaw(box, ['output', String(command!.id)]);
    expect(back.code, back.stderr.toString()).toBe(0);
    expect(back.stdout.toString()).toBe('out');
    expect(back.stderr.toString()).toBe('err');
    expect(birdRaw(box, ['output', '--stream', 'stderr']).stdout.toString()).toBe('err');
    box.cleanup();
  });

  it('keeps binary bytes exactly, in a blob', () => {
    const box = freshStore(mode);
    const every = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
    const file = join(box.dir, 'every-byte.bin');
    writeFileSync(file, every);
    const run = birdRaw(box, ['run', 'cat', file]);
    expect(run.code).toBe(0);
    expect(run.stdout.equals(every)).toBe(true);
    const [row] = sqlJson(box, 'SELECT storage_type, storage_ref, byte_length FROM main.outputs');
    expect(row).toMatchObject({ storage_type: 'blob', byte_length: 512 });
    expect(birdRaw(box, ['output', idOf(box, `cat ${file}`)]).stdout.equals(every)).toBe(true);
    box.cleanup();
  });

  it('keeps the head and tail of a 3 MiB output, its true size, and one blob for two runs printing it', () => {
    const box = freshStore(mode);
    const big = bigBytes();
    const file = join(box.dir, 'big.bin');
    writeFileSync(file, big);
    for (let i = 0; i < 2; i++) {
      const run = birdRaw(box, ['run', '--', 'cat', file]);
      expect(run.code).toBe(0);
      expect(run.stdout.equals(big), 'passed through whole').toBe(true);
    }
    const rows = sqlJson(box, 'SELECT invocation_id, byte_length, storage_type, storage_ref FROM main.outputs');
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.invocation_id)).size).toBe(2);
    expect(new Set(rows.map((r) => r.storage_ref)).size).toBe(1);
    for (const r of rows) expect(r).toMatchObject({ byte_length: big.length, storage_type: 'blob' });
    const blobs = filesUnder(birdLayout(box.root).blobs);
    expect(blobs).toEqual([rows[0]!.storage_ref]);

    const half = 512 * 1024;
    const kept = Buffer.concat([big.subarray(0, half), big.subarray(big.length - half)]);
    expect(gunzipSync(readFileSync(join(birdLayout(box.root).blobs, blobs[0]!))).equals(kept)).toBe(true);
    const back = birdRaw(box, ['output']);
    expect(back.code).toBe(0);
    expect(back.stdout.equals(kept)).toBe(true);
    expect(back.stderr.toString()).toMatch(/^bird: warning: stdout: 3145728 bytes were printed, 1048576 stored/);
    box.cleanup();
  });

  it('exits 128+N for a command a signal ended, and stores that status', () => {
    const box = freshStore(mode);
    const run = birdRaw(box, ['run', 'sh', '-c', 'printf before; kill -TERM $$']);
    expect(run.code).toBe(143);
    expect(run.stdout.toString()).toBe('before');
    expect(sqlJson(box, 'SELECT exit_code FROM main.invocations')).toEqual([{ exit_code: 143 }]);
    expect(birdRaw(box, ['output']).stdout.toString()).toBe('before');
    box.cleanup();
  });

  it('Ctrl-C (SIGINT to the whole group) ends the command, and bird stays to store it with 130', async () => {
    const box = freshStore(mode);
    const child = spawn(process.execPath, [BIRD_BUNDLE, 'run', 'sh', '-c', 'printf started; sleep 30'], { env: box.env(), cwd: box.dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    while (!out.includes('started')) await new Promise((resolve) => setTimeout(resolve, 20));
    process.kill(-child.pid!, 'SIGINT'); // what a terminal's Ctrl-C does: the whole foreground group
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(code).toBe(130);
    expect(sqlJson(box, 'SELECT cmd, exit_code FROM main.invocations')).toEqual([{ cmd: `sh -c 'printf started; sleep 30'`, exit_code: 130 }]);
    expect(birdRaw(box, ['output']).stdout.toString()).toBe('started');
    box.cleanup();
  });

  it('a store it cannot write: the command still runs and its status is kept, with one warning', () => {
    const box = new Sandbox();
    writeFileSync(box.root, 'not a folder');
    const run = birdRaw(box, ['run', 'sh', '-c', 'printf out; exit 5']);
    expect(run.code).toBe(5);
    expect(run.stdout.toString()).toBe('out');
    const lines = run.stderr.toString().split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^bird: warning: the command ran but is not stored: /);
    box.cleanup();
  });

  it('forget takes a command’s outputs, and its blob once no other command names it', () => {
    const box = freshStore(mode);
    const big = bigBytes().subarray(0, 100_000);
    const file = join(box.dir, 'some.bin');
    writeFileSync(file, big);
    birdRaw(box, ['run', 'cat', file]);
    birdRaw(box, ['run', '--', 'cat', '--', file]);
    const first = idOf(box, `cat ${file}`);
    const second = idOf(box, `cat -- ${file}`);
    const blobs = () => filesUnder(birdLayout(box.root).blobs);
    expect(blobs()).toHaveLength(1);

    expect(box.bird(['forget', first]).code).toBe(0);
    expect(sqlJson(box, 'SELECT invocation_id FROM main.outputs')).toEqual([{ invocation_id: second }]);
    expect(blobs(), 'still named by the other command').toHaveLength(1);

    expect(box.bird(['forget', second]).code).toBe(0);
    expect(sqlJson(box, 'SELECT count(*) AS n FROM main.outputs')).toEqual([{ n: 0 }]);
    expect(blobs()).toEqual([]);
    box.cleanup();
  });

  it('stores nothing, output included, when BIRD_DISABLED=1 or an ignore pattern says so; redacts a secret a command prints', () => {
    const box = freshStore(mode);
    const file = join(box.dir, 'big.bin');
    writeFileSync(file, bigBytes());
    const off = birdRaw(box, ['run', 'cat', file], { BIRD_DISABLED: '1' });
    expect(off.code).toBe(0);
    expect(off.stdout.length).toBe(3 * 1024 * 1024);
    expect(sqlJson(box, 'SELECT count(*) AS n FROM main.invocations')).toEqual([{ n: 0 }]);
    expect(filesUnder(birdLayout(box.root).blobs)).toEqual([]);

    writeFileSync(join(box.root, 'config.toml'), `${readFileSync(join(box.root, 'config.toml'), 'utf8')}\n[capture]\nignore = ["cat *"]\n`.replace(/\[capture\]\nignore = \[[^\]]*\]\n/, ''));
    const ignored = birdRaw(box, ['run', 'cat', file]);
    expect(ignored.stdout.length).toBe(3 * 1024 * 1024);
    expect(sqlJson(box, 'SELECT count(*) AS n FROM main.invocations')).toEqual([{ n: 0 }]);
    expect(filesUnder(birdLayout(box.root).blobs), 'an ignored command’s output is not stored either').toEqual([]);

    const token = `ghp_${'aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF3hJ5'}`;
    const shown = birdRaw(box, ['run', 'printf', `token: ${token}\\n`]);
    expect(shown.stdout.toString(), 'passed through unchanged').toBe(`token: ${token}\n`);
    expect(birdRaw(box, ['output']).stdout.toString()).toBe('token: [REDACTED]\n');
    expect(filesUnder(box.root).filter((f) => readFileSync(join(box.root, f)).includes(token))).toEqual([]);
    box.cleanup();
  });

  it('joins the session of the hooked shell it runs in, else has its own', () => {
    const box = freshStore(mode);
    const script = `export BIRD_HOOKED=bash:$$ BIRD_SESSION=joined-session; "${process.execPath}" "${BIRD_BUNDLE}" run true; :`;
    const hooked = spawnSync('bash', ['-c', script], { env: box.env(), cwd: box.dir });
    expect(hooked.status, hooked.stderr.toString()).toBe(0);
    expect(birdRaw(box, ['run', 'true'], { BIRD_SESSION: 'joined-session' }).code).toBe(0);
    const sessions = sqlJson(box, 'SELECT session_id, shell FROM main.invocations ORDER BY "timestamp"');
    expect(sessions[0]).toEqual({ session_id: 'joined-session', shell: 'bash' });
    expect(String(sessions[1]!.session_id)).toMatch(/-run-/);
    box.cleanup();
  });

  it('bird output -N: the Nth newest command with output; in a hooked shell, of its own session first', () => {
    const box = freshStore(mode);
    const none = birdRaw(box, ['output']);
    expect({ code: none.code, stderr: none.stderr.toString() }).toMatchObject({ code: 1, stderr: expect.stringMatching(/^bird: no command has stored output yet: `bird run CMD` stores .*`\[capture\] output = true`.*\.\n$/) });
    for (const word of ['first', 'second', 'third']) expect(birdRaw(box, ['run', 'echo', word]).code).toBe(0);
    expect(birdRaw(box, ['output', '-2']).stdout.toString()).toBe('second\n');
    expect(birdRaw(box, ['output']).stdout.toString()).toBe('third\n');
    const tooFar = birdRaw(box, ['output', '-5']);
    expect({ code: tooFar.code, stderr: tooFar.stderr.toString() }).toEqual({ code: 1, stderr: 'bird: fewer than 5 commands have stored output.\n' });
    expect(birdRaw(box, ['output', 'some-id', '-1']).code).toBe(2);
    // A hooked shell whose session ran an older command: `bird output` there shows its own.
    const inShell = (cmd: string) => {
      const r = spawnSync('bash', ['-c', `export BIRD_HOOKED=bash:$$ BIRD_SESSION=my-pane; "${process.execPath}" "${BIRD_BUNDLE}" ${cmd}; :`], { env: box.env(), cwd: box.dir });
      expect(r.stderr.toString()).toBe('');
      return r.stdout.toString();
    };
    expect(inShell('run echo mine')).toBe('mine\n');
    expect(birdRaw(box, ['run', 'echo', 'elsewhere']).code).toBe(0);
    expect(inShell('output')).toBe('mine\n');
    expect(birdRaw(box, ['output']).stdout.toString()).toBe('elsewhere\n');
    box.cleanup();
  });

  it('on a terminal, leaves it to the command and stores the command without output', () => {
    const box = freshStore(mode);
    // script(1) gives bird a terminal as stdout and stderr.
    const line = `"${process.execPath}" "${BIRD_BUNDLE}" run sh -c 'test -t 1 && printf tty; exit 4'`;
    const run = spawnSync('script', ['-qec', line, '/dev/null'], { env: box.env(), cwd: box.dir, input: '' });
    expect(run.status, run.stderr.toString()).toBe(4);
    expect(run.stdout.toString()).toBe('tty');
    expect(sqlJson(box, 'SELECT cmd, exit_code FROM main.invocations')).toEqual([{ cmd: `sh -c 'test -t 1 && printf tty; exit 4'`, exit_code: 4 }]);
    expect(sqlJson(box, 'SELECT count(*) AS n FROM main.outputs')).toEqual([{ n: 0 }]);
    box.cleanup();
  });

  it('bird output on a terminal keeps colours and shows other control sequences as escapes; --raw and a pipe give the bytes', () => {
    const box = freshStore(mode);
    const printed = '\u001b]0;retitled\u0007\u001b[31mred\u001b[0m\n';
    expect(birdRaw(box, ['run', 'printf', '%b', printed]).stdout.toString()).toBe(printed);
    const onTerminal = (args: string) => {
      const run = spawnSync('script', ['-qec', `"${process.execPath}" "${BIRD_BUNDLE}" output ${args}`, '/dev/null'], { env: box.env(), cwd: box.dir, input: '' });
      expect(run.status, run.stderr.toString()).toBe(0);
      return run.stdout.toString().replaceAll('\r\n', '\n');
    };
    expect(onTerminal('')).toBe('\\x1b]0;retitled\\x07\u001b[31mred\u001b[0m\n');
    expect(onTerminal('--raw')).toBe(printed);
    expect(birdRaw(box, ['output']).stdout.toString()).toBe(printed);
    box.cleanup();
  });

  it('a blob a removal left behind (killed before its sweep, a retention, a teammate\'s forget) goes at the next compaction', () => {
    const box = freshStore(mode);
    const file = join(box.dir, 'some.bin');
    writeFileSync(file, bigBytes().subarray(0, 20_000));
    expect(birdRaw(box, ['run', 'cat', file]).code).toBe(0);
    const layout = birdLayout(box.root);
    const named = filesUnder(layout.blobs);
    expect(named).toHaveLength(1);
    // What a removal's sweep would have deleted: a blob no outputs row names.
    const orphan = join(layout.blobs, 'ab', `ab${'0'.repeat(62)}.gz`);
    mkdirSync(dirname(orphan), { recursive: true });
    writeFileSync(orphan, gzipSync(Buffer.from('printed by a forgotten command')));
    expect(filesUnder(layout.blobs)).toHaveLength(2);
    const compact = box.bird(['compact']);
    expect({ code: compact.code, stderr: compact.stderr }).toEqual({ code: 0, stderr: '' });
    expect(filesUnder(layout.blobs)).toEqual(named);
    expect(birdRaw(box, ['output']).stdout.equals(bigBytes().subarray(0, 20_000))).toBe(true);
    box.cleanup();
  });

  it('bird redact carries what a command printed, and its events, to its redacted form', async () => {
    const box = freshStore(mode);
    const layout = birdLayout(box.root);
    // A command stored by a bird from before the token rule, with what it printed.
    const token = 'ghp_Zq8XvLp2Rk9TmW4bN7cYd1Hs6Gf3Jx0QaUeKi';
    const s = session({ session_id: 's-old', client_id: 'tester@box', date: '2025-11-24' });
    const inv = invocation({ session_id: 's-old', client_id: 'tester@box', cmd: `gh api -H "Authorization: token ${token}" /user`, date: '2025-11-24', timestamp: at(1) });
    const text = '{"login": "octocat"}\n';
    const out = { id: outputRowId(inv, 'stdout'), invocation_id: inv.id, stream: 'stdout', content_hash: sha256(Buffer.from(text)), byte_length: text.length, storage_type: 'inline', storage_ref: text, date: inv.date };
    const said = event({ invocation_id: inv.id, date: inv.date, ref_file: 'api.ts', ref_line: 7, message: 'rate limited', kind: 'diagnostic' });
    expect((await storageModeOf(layout, loadConfig(layout)).append([{ invocation: inv, session: s, outputs: [out], events: [said] }])).written).toBe(1);

    const redact = box.bird(['redact']);
    expect({ code: redact.code, stderr: redact.stderr }).toEqual({ code: 0, stderr: '' });
    const [after] = sqlJson(box, 'SELECT id, cmd FROM main.invocations');
    expect(String(after!.cmd)).not.toContain(token);
    expect(sqlJson(box, 'SELECT invocation_id, storage_ref FROM main.outputs')).toEqual([{ invocation_id: after!.id, storage_ref: text }]);
    expect(birdRaw(box, ['output', String(after!.id)]).stdout.toString()).toBe(text);
    expect(sqlJson(box, 'SELECT invocation_id, ref_file, ref_line, message, kind FROM main.events')).toEqual([{ invocation_id: after!.id, ref_file: 'api.ts', ref_line: 7, message: 'rate limited', kind: 'diagnostic' }]);
    box.cleanup();
  });

  it('compaction merges outputs like commands, and what they hold still prints back', () => {
    const box = freshStore(mode);
    writeFileSync(box.root + '/config.toml', `${readFileSync(box.root + '/config.toml', 'utf8')}\n[compaction]\nmin_files = 2\nmin_age_seconds = 0\n`);
    const file = join(box.dir, 'some.bin');
    const bytes = bigBytes().subarray(0, 50_000);
    writeFileSync(file, bytes);
    for (let i = 0; i < 4; i++) expect(birdRaw(box, ['run', 'sh', '-c', `cat ${file}; printf ${i} >&2`]).code).toBe(0);
    expect(box.bird(['compact']).code).toBe(0);
    const outputFiles = filesUnder(join(birdLayout(box.root).localData, 'outputs')).filter((f) => !f.includes('placeholder'));
    if (mode === 'parquet') expect(outputFiles.length, outputFiles.join(' ')).toBe(1);
    expect(sqlJson(box, 'SELECT count(*) AS n FROM main.outputs')).toEqual([{ n: 8 }]);
    const back = birdRaw(box, ['output']);
    expect(back.stdout.equals(bytes)).toBe(true);
    expect(back.stderr.toString()).toBe('3');
    box.cleanup();
  });

  it('killed at random instants: never an output without its command, never half a blob; the next run finishes it', async () => {
    const box = freshStore(mode);
    const file = join(box.dir, 'big.bin');
    writeFileSync(file, bigBytes().subarray(0, 200_000));
    const layout = birdLayout(box.root);
    const kills = new KillWindow(900);
    const orphans = () => sqlJson(box, 'SELECT o.id FROM main.outputs o LEFT JOIN main.invocations i ON i.id = o.invocation_id WHERE i.id IS NULL');
    for (let round = 0; round < 24; round++) {
      await kills.run(process.execPath, [BIRD_BUNDLE, 'run', 'sh', '-c', `cat ${file}; printf ${round} >&2`], { env: box.env(), cwd: box.dir });
      if (round % 6 === 5) expect(orphans()).toEqual([]);
      for (const ref of filesUnder(layout.blobs)) {
        const hash = /([0-9a-f]{64})\.gz$/.exec(ref)![1];
        expect(sha256(gunzipSync(readFileSync(join(layout.blobs, ref)))), ref).toBe(hash);
      }
    }
    expect(kills.killed).toBeGreaterThan(3);
    // A run to its end finishes what killed runs left half stored.
    expect(birdRaw(box, ['run', 'true']).code).toBe(0);
    expect(orphans()).toEqual([]);
    expect(filesUnder(layout.runsPending)).toEqual([]);
    const withoutOutputs = sqlJson(box, `SELECT i.cmd FROM main.invocations i WHERE i.cmd LIKE 'sh -c%' AND (SELECT count(*) FROM main.outputs o WHERE o.invocation_id = i.id) <> 2`);
    expect(withoutOutputs).toEqual([]);
    box.cleanup();
  }, 600_000);
});
