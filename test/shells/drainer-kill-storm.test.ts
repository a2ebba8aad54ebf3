// The drainer killed with SIGKILL at random instants while 8 bash and 8 zsh shells type bursts
// of commands: every command typed ends up stored exactly once.
//
// The older kill -9 test (drainer-crash.test.ts) drains spools of shells that were already gone,
// so a killed drainer's claim never met a live shell's spool being claimed again. Here the shells
// are alive and keep appending while drainers die mid-claim, mid-write and mid-grace, which is
// how it happens to users.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, expect, it } from 'vitest';
import { REPO, ShellSession, drainerPids, indexedIds, readRows, shellEnv, tempDir, waitForCount, waitForNoDrainer, type Shell } from './shell-session.ts';

const BIRD = join(REPO, 'packages/cli/dist/bird.cjs');

beforeAll(() => {
  execFileSync(process.execPath, [join(REPO, 'scripts/build.mjs'), 'capture', 'cli'], { stdio: 'inherit' });
});

const ROUNDS = Number(process.env.BIRD_STORM_ROUNDS ?? 30);
const BURST = 3;

/** duckdb mode: the rows of local.invocations, and any still waiting in the spill folder. */
async function duckdbRows(root: string): Promise<{ id: string; cmd: string }[]> {
  const spill = join(root, 'db', 'spill', 'invocations');
  for (let attempt = 0; ; attempt++) {
    // The spill folder outlives its files: list them rather than glob, so an empty one reads as
    // nothing instead of failing the query.
    const spilled = existsSync(spill) ? readdirSync(spill).filter((f) => f.endsWith('.parquet')).map((f) => `'${join(spill, f)}'`) : [];
    const union = spilled.length > 0 ? ` UNION ALL SELECT id::VARCHAR, cmd FROM read_parquet([${spilled.join(', ')}])` : '';
    const db = await DuckDBInstance.create(join(root, 'db', 'bird.duckdb'), { access_mode: 'READ_ONLY' });
    try {
      const c = await db.connect();
      const rows = (await c.runAndReadAll(`SELECT DISTINCT id, cmd FROM (SELECT id::VARCHAR AS id, cmd FROM local.invocations${union})`)).getRowObjects();
      c.closeSync();
      return rows.map((r) => ({ id: String(r.id), cmd: String(r.cmd) }));
    } catch (error) {
      // A spill file merged into the database between the listing and the read: list again.
      if (attempt > 20 || !/No such file|No files found/i.test((error as Error).message)) throw error;
    } finally {
      db.closeSync();
    }
  }
}

/** Waits until none of `pids` is a live process any more (a zombie counts as gone: it has no exe). */
async function untilGone(pids: readonly number[], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some((pid) => existsSync(`/proc/${pid}/exe`)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}

it.each([
  { mode: 'parquet', perShell: 8, rounds: ROUNDS },
  { mode: 'duckdb', perShell: 3, rounds: Math.ceil(ROUNDS / 3) },
] as const)('$mode mode: loses and doubles nothing over $rounds rounds of kill -9 during bursts from $perShell bash and $perShell zsh shells', { timeout: 600_000 }, async ({ mode, perShell, rounds }) => {
  const PER_SHELL = perShell;
  const ROUNDS = rounds;
  const root = join(tempDir('storm'), 'bird');
  if (mode === 'duckdb') execFileSync(process.execPath, [BIRD, 'init', '--mode', 'duckdb'], { env: { ...process.env, BIRD_ROOT: root }, stdio: 'pipe' });
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
          const killed: number[] = [];
          for (const pid of drainerPids(root)) {
            try {
              process.kill(pid, 'SIGKILL');
              killed.push(pid);
              kills++;
            } catch {
              // it exited on its own just now
            }
          }
          // Resolved once they are really gone. A drainer that got SIGKILL but has not been
          // scheduled to die yet (tens of ms on a loaded machine) still looks alive to a hook:
          // a command typed in that instant is stored at the shell's next prompt, not this one,
          // and the last command of the test has no next prompt.
          void untilGone(killed).then(resolve);
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
    if (mode === 'parquet') await waitForCount(root, typed.length, 120_000);
    await waitForNoDrainer(root, 120_000);
  } finally {
    for (const s of sessions) s.close();
  }
  expect(kills).toBeGreaterThanOrEqual(ROUNDS / 2); // the drainers really were killed, often
  const rows = mode === 'parquet' ? await readRows(root) : await duckdbRows(root);
  const stored = rows.map((r) => r.cmd).sort();
  const missing = typed.filter((t) => !stored.includes(t));
  // What the drainers said, and what is still spooled: the first things to read when this fails.
  const errors = existsSync(join(root, 'errors.log')) ? readFileSync(join(root, 'errors.log'), 'utf8').split('\n').slice(-20).join('\n') : '(no errors.log)';
  const spooled = existsSync(join(root, 'spool')) ? readdirSync(join(root, 'spool')).join(' ') : '(no spool folder)';
  expect(missing, `${missing.length} of ${typed.length} missing; errors.log tail:\n${errors}\nspool: ${spooled}`).toEqual([]);
  expect(stored).toEqual([...typed].sort());
  expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
  // Search and `bird history` see exactly what was stored: a drainer killed between storing a
  // batch and journaling it redoes the batch, and a row journaled twice is kept once.
  expect(indexedIds(root).sort()).toEqual(rows.map((r) => r.id).sort());
});
