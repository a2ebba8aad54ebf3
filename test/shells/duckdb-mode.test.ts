// duckdb mode end to end: `bird init --mode duckdb`, then commands typed in real shells reach
// the `local` tables of bird.duckdb through the same hook and drainer as parquet mode.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { REPO, ShellSession, shellEnv, tempDir } from './shell-session.ts';

const BIRD = join(REPO, 'packages/cli/dist/bird.cjs');

beforeAll(() => {
  execFileSync(process.execPath, [join(REPO, 'scripts/build.mjs'), 'capture', 'cli'], { stdio: 'inherit' });
});

async function localCommands(root: string): Promise<string[]> {
  // READ_ONLY can fail while the drainer holds the catalog for an insert: that is a retry, not a result.
  for (let attempt = 0; ; attempt++) {
    try {
      const db = await DuckDBInstance.create(join(root, 'db', 'bird.duckdb'), { access_mode: 'READ_ONLY' });
      try {
        const c = await db.connect();
        const rows = (await c.runAndReadAll('SELECT cmd FROM local.invocations ORDER BY "timestamp"')).getRows();
        c.closeSync();
        return rows.map((r) => String(r[0]));
      } finally {
        db.closeSync();
      }
    } catch (error) {
      if (attempt > 50 || !/lock/i.test((error as Error).message)) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

it('commands typed in zsh and bash land in local.invocations of a duckdb-mode store, once each', async () => {
  const home = tempDir('duckdb-home');
  const root = join(tempDir('duckdb-root'), 'bird');
  const env = shellEnv(home, root);
  execFileSync(process.execPath, [BIRD, 'init', '--mode', 'duckdb'], { env, stdio: 'pipe' });

  const typed: string[] = [];
  for (const shell of ['zsh', 'bash'] as const) {
    const s = await ShellSession.start(shell, env);
    try {
      for (const n of [1, 2, 3]) {
        const line = `echo ${shell}-duckdb-${n}`;
        await s.run(line);
        typed.push(line);
      }
    } finally {
      s.close();
    }
  }

  const deadline = Date.now() + 60_000;
  let stored: string[] = [];
  while (Date.now() < deadline) {
    stored = await localCommands(root);
    if (stored.length >= typed.length) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  expect([...stored].sort()).toEqual([...typed].sort());
  // No Parquet data files in duckdb mode: the rows live in the catalog's tables.
  const out = execFileSync(process.execPath, [BIRD, 'sql', 'SELECT count(*) AS n FROM main.invocations', '--format', 'csv'], { env, encoding: 'utf8' });
  expect(out.trim().split('\n')).toEqual(['n', String(typed.length)]);
});
