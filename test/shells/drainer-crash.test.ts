// kill -9 of a drainer in the middle of its work: the next drainer finishes the job, and every
// spooled record ends up stored exactly once.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { encodeRecord } from '../../packages/capture/src/spool/record-format.ts';
import { CAPTURE_BUNDLE, REPO, readRows, tempDir, waitForCount } from './shell-session.ts';

beforeAll(() => {
  execFileSync(process.execPath, [join(REPO, 'scripts/build.mjs'), 'capture'], { stdio: 'inherit' });
});

const RECORDS = 400;

function startDrainer(root: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, BIRD_ROOT: root, BIRD_DRAIN_LINGER_MS: '500', BIRD_DRAIN_GRACE_MS: '300' };
  delete env.NODE_EXTRA_CA_CERTS;
  return spawn(process.execPath, [CAPTURE_BUNDLE, '--drain'], { env, stdio: 'ignore' });
}

it('loses and duplicates nothing when a drainer is killed -9 mid-way', async () => {
  const root = join(tempDir('crash'), 'bird');
  mkdirSync(join(root, 'spool'), { recursive: true, mode: 0o700 });
  // Spools of shells that are gone (pids that cannot exist), as after a crash or a reboot.
  for (const [i, pid] of [4_000_001, 4_000_002].entries()) {
    let text = '';
    for (let n = 0; n < RECORDS / 2; n++) {
      const start = `${1_800_000_000 + i * 1000 + n}.${String(n).padStart(6, '0')}`;
      text += encodeRecord({
        shell: 'zsh',
        sessionId: `crash-${i}`,
        pid,
        start,
        end: start,
        durationMs: null,
        exitCode: n % 3,
        clientId: null,
        cwd: '/tmp',
        cmd: `echo record-${i}-${n}`,
      });
    }
    writeFileSync(join(root, 'spool', `${pid}.crash-${i}.spool`), text, { mode: 0o600 });
  }

  const first = startDrainer(root);
  const seen = await waitForCount(root, 40, 60_000);
  expect(seen).toBeGreaterThanOrEqual(40);
  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));
  const before = (await readRows(root)).length;
  expect(before).toBeLessThan(RECORDS); // it really was stopped mid-way

  const second = startDrainer(root);
  await new Promise((resolve) => second.once('exit', resolve));
  const rows = await readRows(root);
  expect(rows).toHaveLength(RECORDS);
  expect(new Set(rows.map((r) => r.cmd)).size).toBe(RECORDS);
  expect(new Set(rows.map((r) => r.id)).size).toBe(RECORDS);
  // Nothing left to drain, and no raw text left behind.
  const left = existsSync(join(root, 'spool')) ? readdirSync(join(root, 'spool')).filter((f) => f.includes('.spool')) : [];
  expect(left).toEqual([]);
});

// Two claims of one spool used to get one name, and the second rename replaced the first,
// records and all: a shell's live spool next to a claim a killed drainer left of it.
it('keeps both a live spool and a dead drainer’s claim of the same spool', async () => {
  const root = join(tempDir('twoclaims'), 'bird');
  mkdirSync(join(root, 'spool'), { recursive: true, mode: 0o700 });
  const shell = spawn('sleep', ['60']); // a live shell that still appends to its spool
  try {
    const record = (n: number) => {
      const start = `${1_800_000_100 + n}.000000`;
      return encodeRecord({ shell: 'bash', sessionId: 'two', pid: shell.pid!, start, end: start, durationMs: null, exitCode: 0, clientId: null, cwd: '/tmp', cmd: `echo claim-${n}` });
    };
    const spool = `${shell.pid}.two.spool`;
    writeFileSync(join(root, 'spool', spool), record(1), { mode: 0o600 });
    writeFileSync(join(root, 'spool', `${spool}.4000009.claim`), record(2), { mode: 0o600 }); // old-style name
    writeFileSync(join(root, 'spool', `${spool}.4000010.3.claim`), record(3), { mode: 0o600 });
    const drainer = startDrainer(root);
    await new Promise((resolve) => drainer.once('exit', resolve));
    const rows = await readRows(root);
    expect(rows.map((r) => r.cmd).sort()).toEqual(['echo claim-1', 'echo claim-2', 'echo claim-3']);
  } finally {
    shell.kill();
  }
});
