// The drainer under faults it can meet on a real machine: a write that keeps failing (a
// full or broken disk; here a file where a data folder should be) and settings changed
// while it runs.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { encodeRecord } from '../../packages/capture/src/spool/record-format.ts';
import { CAPTURE_BUNDLE, REPO, readRows, tempDir, waitForRow } from './shell-session.ts';

beforeAll(() => {
  execFileSync(process.execPath, [join(REPO, 'scripts/build.mjs'), 'capture'], { stdio: 'inherit' });
});

const DEAD_SHELL = 4_000_003; // a pid that cannot exist: the shell is gone, as after a crash

function spool(root: string, session: string, cmds: string[]): void {
  mkdirSync(join(root, 'spool'), { recursive: true, mode: 0o700 });
  let text = '';
  cmds.forEach((cmd, n) => {
    const start = `${1_800_000_000 + n}.000000`;
    text += encodeRecord({ shell: 'zsh', sessionId: session, pid: DEAD_SHELL, start, end: start, durationMs: null, exitCode: 0, clientId: null, cwd: '/tmp', cmd });
  });
  writeFileSync(join(root, 'spool', `${DEAD_SHELL}.${session}.spool`), text, { mode: 0o600 });
}

function drain(root: string, extra: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, BIRD_ROOT: root, BIRD_DRAIN_LINGER_MS: '300', BIRD_DRAIN_GRACE_MS: '100', ...extra };
  delete env.NODE_EXTRA_CA_CERTS;
  const child = spawn(process.execPath, [CAPTURE_BUNDLE, '--drain'], { env, stdio: 'ignore' });
  return { child, exited: new Promise<number | null>((resolve) => child.once('exit', resolve)) };
}

it('gives up on a write that keeps failing, exits, and the next drainer stores every record once', async () => {
  const root = join(tempDir('faults'), 'bird');
  spool(root, 'stuck', ['echo one', 'echo two', 'echo three']);
  // A file where the invocations folder belongs: every invocation write fails, even as root.
  const blocked = join(root, 'db', 'data', 'local', 'invocations');
  mkdirSync(join(root, 'db', 'data', 'local'), { recursive: true });
  writeFileSync(blocked, 'not a folder');

  const first = drain(root, { BIRD_DRAIN_RETRY_MS: '20' });
  expect(await first.exited).toBe(0); // it does not retry forever
  expect(readdirSync(join(root, 'spool')).some((f) => f.endsWith('.claim'))).toBe(true); // left for the next one
  expect(readFileSync(join(root, 'errors.log'), 'utf8')).toMatch(/gave up after 5 tries, they stay spooled/);

  rmSync(blocked);
  await drain(root).exited;
  const rows = await readRows(root);
  expect(rows.map((r) => r.cmd).sort()).toEqual(['echo one', 'echo three', 'echo two']);
  expect(readdirSync(join(root, 'spool')).filter((f) => f.includes('.spool'))).toEqual([]);
});

it('applies an ignore pattern added to config.toml while it runs to the very next command', async () => {
  const root = join(tempDir('reconfig'), 'bird');
  spool(root, 'before', ['echo before']);
  const running = drain(root, { BIRD_DRAIN_LINGER_MS: '5000' });
  try {
    await waitForRow(root, (r) => r.cmd === 'echo before', 'the first command');
    writeFileSync(join(root, 'config.toml'), '[capture]\nignore = ["vault *"]\n');
    spool(root, 'after', ['vault read secret/db', 'echo after']);
    const rows = await waitForRow(root, (r) => r.cmd === 'echo after', 'the command after the change');
    expect(rows.map((r) => r.cmd).sort()).toEqual(['echo after', 'echo before']);
  } finally {
    running.child.kill();
    await running.exited;
  }
});
