// bird import writes a large history in batches: killed with SIGKILL after the first is stored,
// and run again, it stores every entry exactly once, with its session.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { birdLayout, localPartitionDir } from '@bird/core';
import { REPO } from './shells/shell-session.ts';

const BIRD = join(REPO, 'packages/cli/dist/bird.cjs');

beforeAll(() => {
  execFileSync(process.execPath, [join(REPO, 'scripts/build.mjs')], { stdio: 'ignore' });
}, 120_000);

/** The import's files (`i-<uuid>.parquet`; not the store's empty placeholders). */
function filesUnder(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? filesUnder(join(dir, e.name)) : e.name.startsWith('i-') && e.name.endsWith('.parquet') ? 1 : 0), 0);
}

describe('bird import killed mid-way', () => {
  it('a rerun after kill -9 between batches stores every entry once, and its session', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bird-import-kill-'));
    const root = join(dir, 'root');
    const file = join(dir, '.zsh_history');
    const N = 300_000;
    writeFileSync(file, Array.from({ length: N }, (_, i) => `: ${1_600_000_000 + i * 60}:0;echo entry-${i}\n`).join(''));
    const env = { ...process.env, BIRD_ROOT: root, BIRD_CLIENT_ID: 'me@host' } as Record<string, string>;
    delete env.NODE_EXTRA_CA_CERTS;
    const invocations = dirname(localPartitionDir(birdLayout(root), 'invocations', '2020-01-01'));
    const child = spawn(process.execPath, [BIRD, 'import', 'zsh', '--file', file], { env, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let killed = false;
    while (!killed && child.exitCode === null) {
      if (filesUnder(invocations) > 0) {
        child.kill('SIGKILL');
        killed = true;
      } else await new Promise((r) => setTimeout(r, 20));
    }
    await exited;
    expect(killed).toBe(true);
    const stored = (sql: string) => JSON.parse(spawnSync(process.execPath, [BIRD, 'sql', sql, '--format', 'json'], { env, encoding: 'utf8' }).stdout);
    const [partial] = stored('SELECT count(*) AS n FROM local.invocations');
    expect(partial.n).toBeGreaterThan(0);
    expect(partial.n).toBeLessThan(N);
    const rerun = spawnSync(process.execPath, [BIRD, 'import', 'zsh', '--file', file], { env, encoding: 'utf8' });
    expect(rerun.status).toBe(0);
    expect(rerun.stdout).toContain(`read ${N}, imported ${N - partial.n}, skipped ${partial.n} already stored`);
    expect(stored('SELECT count(*) AS n, count(DISTINCT id) AS ids, (SELECT count(*) FROM local.sessions) AS sessions FROM local.invocations')).toEqual([{ n: N, ids: N, sessions: 1 }]);
  }, 180_000);
});
