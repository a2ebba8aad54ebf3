// The drainer killed with SIGKILL at random instants while 8 bash and 8 zsh shells type bursts
// of commands: every command typed ends up stored exactly once.
//
// The older kill -9 test (drainer-crash.test.ts) drains spools of shells that were already gone,
// so a killed drainer's claim never met a live shell's spool being claimed again. Here the shells
// are alive and keep appending while drainers die mid-claim, mid-write and mid-grace, which is
// how it happens to users.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { REPO, ShellSession, drainerPids, readRows, shellEnv, tempDir, waitForCount, waitForNoDrainer, type Shell } from './shell-session.ts';

beforeAll(() => {
  execFileSync(process.execPath, [join(REPO, 'scripts/build.mjs'), 'capture'], { stdio: 'inherit' });
});

const ROUNDS = Number(process.env.BIRD_STORM_ROUNDS ?? 30);
const PER_SHELL = 8;
const BURST = 3;

it(`loses and doubles nothing over ${ROUNDS} rounds of kill -9 during bursts from ${PER_SHELL} bash and ${PER_SHELL} zsh shells`, { timeout: 600_000 }, async () => {
  const root = join(tempDir('storm'), 'bird');
  const shells: Shell[] = [...Array(PER_SHELL).fill('bash'), ...Array(PER_SHELL).fill('zsh')];
  const env = (i: number) => shellEnv(tempDir(`storm-${i}`), root, { BIRD_DRAIN_LINGER_MS: '3000', BIRD_DRAIN_GRACE_MS: '300' });
  const sessions = await Promise.all(shells.map((shell, i) => ShellSession.start(shell, env(i))));
  const typed: string[] = [];
  let kills = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // Somewhere inside the burst: before the first record, between claims, mid-write.
      const killAt = Math.random() * 600;
      const killer = new Promise<void>((resolve) =>
        setTimeout(() => {
          for (const pid of drainerPids(root)) {
            try {
              process.kill(pid, 'SIGKILL');
              kills++;
            } catch {
              // it exited on its own just now
            }
          }
          resolve();
        }, killAt),
      );
      await Promise.all(
        sessions.map(async (s, i) => {
          for (let n = 0; n < BURST; n++) {
            const line = `echo storm-${round}-${i}-${n}`;
            await s.run(line, 60_000);
            typed.push(line);
          }
        }),
      );
      await killer;
    }
    // One more command in each shell, with no killing: a stale marker left by the last kill is
    // noticed, and a drainer takes over whatever the killed ones held.
    await Promise.all(
      sessions.map(async (s, i) => {
        const line = `echo storm-after-${i}`;
        await s.run(line, 60_000);
        typed.push(line);
      }),
    );
    await waitForCount(root, typed.length, 120_000);
    await waitForNoDrainer(root, 120_000);
  } finally {
    for (const s of sessions) s.close();
  }
  expect(kills).toBeGreaterThanOrEqual(ROUNDS / 2); // the drainers really were killed, often
  const rows = await readRows(root);
  const stored = rows.map((r) => r.cmd).sort();
  const missing = typed.filter((t) => !stored.includes(t));
  expect(missing).toEqual([]);
  expect(stored).toEqual([...typed].sort());
  expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
});
