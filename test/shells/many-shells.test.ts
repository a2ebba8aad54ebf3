// Eight shells typing at once, for a minute: every command typed is stored, none twice.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { REPO, SHELLS, ShellSession, readRows, shellEnv, tempDir, waitForCount } from './shell-session.ts';

beforeAll(() => {
  execFileSync(process.execPath, [join(REPO, 'scripts/build.mjs'), 'capture'], { stdio: 'inherit' });
});

/** BIRD_STRESS_MS shortens the run for a quick local check; the default is the minute. */
const RUN_MS = Number(process.env.BIRD_STRESS_MS ?? 60_000);
const SHELL_COUNT = 8;

it(`${SHELL_COUNT} shells typing for ${RUN_MS / 1000} s lose nothing`, { timeout: RUN_MS + 240_000 }, async () => {
  const root = join(tempDir('many'), 'bird');
  const sessions = await Promise.all(
    Array.from({ length: SHELL_COUNT }, (_, i) => ShellSession.start(SHELLS[i % SHELLS.length]!, shellEnv(tempDir(`many-${i}`), root))),
  );
  const typed: string[] = [];
  const stopAt = Date.now() + RUN_MS;
  try {
    await Promise.all(
      sessions.map(async (s, i) => {
        for (let n = 0; Date.now() < stopAt; n++) {
          const line = `echo shell-${i}-${n}`;
          await s.run(line, 60_000);
          typed.push(line);
        }
      }),
    );
  } finally {
    for (const s of sessions) s.close();
  }
  const stored = await waitForCount(root, typed.length, 120_000);
  const rows = await readRows(root);
  expect(stored).toBe(typed.length);
  expect(rows.map((r) => r.cmd).sort()).toEqual([...typed].sort());
  expect(new Set(rows.map((r) => r.session_id)).size).toBe(SHELL_COUNT);
});
