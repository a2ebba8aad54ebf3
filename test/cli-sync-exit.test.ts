// Exit status of bird push, pull, compact and bird-sync on every way they fail: 0 only when
// all that was asked was done, 1 when a remote (or a step) failed, 2 for a command line that
// could not be understood; --json says the same. Cron and scripts go by these.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RemoteConfig } from '@bird/core';
import { useTestBackends } from '../packages/remote/src/testing/backends.ts';
import { tempDir } from '../packages/store/src/testing/fixtures.ts';
import { buildBundles } from './cli-helpers.ts';
import { BIRD, capture, newClient, runAs } from './support/sync-clients.ts';

const backends = useTestBackends();
beforeAll(() => buildBundles());

const folder = (name: string, uri = tempDir('bird-exit-lake-')): RemoteConfig => ({ name, type: 'file', uri, mode: 'read_write', auto_attach: true });
const unreachable = (name: string): RemoteConfig => ({ name, type: 's3', uri: 's3://lake/x', endpoint: 'http://127.0.0.1:1', mode: 'read_write', auto_attach: true });

describe('exit status', () => {
  it.each([
    ['bird push', BIRD, ['push', '--remote', 'gone']],
    ['bird pull', BIRD, ['pull', '--remote', 'gone']],
    ['bird-sync push', undefined, ['push', '--remote', 'gone']],
  ])('%s to a remote that cannot be reached: 1, one sentence, and --json says so too', async (_, bundle, args) => {
    const c = await newClient('me@here', unreachable('gone'));
    await capture(c, 1);
    const plain = await runAs(c, args, { bundle });
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/^bird(-sync)?: (push|pull) gone: http:\/\/127\.0\.0\.1:1 is not reachable \(ECONNREFUSED\); check the remote's endpoint and your network\.\n$/);
    const json = await runAs(c, [...args, '--json'], { bundle });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, remotes: [{ remote: 'gone', error: expect.stringMatching(/not reachable/) }] });
  });

  it('a missing bucket and a vanished lake folder: 1', async () => {
    const lake = tempDir('bird-exit-vanish-');
    const c = await newClient('me@here', [folder('vanished', join(lake, 'lake')), { ...unreachable('nobucket'), uri: 's3://no-such-bucket/x', endpoint: backends.s3().endpoint }]);
    await capture(c, 1);
    rmSync(lake, { recursive: true, force: true });
    for (const remote of ['vanished', 'nobucket']) {
      const r = await runAs(c, ['push', '--remote', remote], { bundle: BIRD });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    }
  });

  it('one remote failing among several fails the run; the others are still synced', async () => {
    const good = folder('good');
    const c = await newClient('me@here', [unreachable('bad'), good]);
    await capture(c, 2);
    const r = await runAs(c, ['--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { ok: boolean; remotes: { remote: string; op: string; rows?: number; error?: string }[] };
    expect(report.ok).toBe(false);
    expect(report.remotes.filter((x) => x.remote === 'good').map((x) => [x.op, x.rows])).toEqual([['push', 3], ['pull', 0]]);
    expect(report.remotes.find((x) => x.remote === 'bad')?.error).toMatch(/not reachable/);
  });

  it('bird compact that cannot take its lock file: 1, in one sentence', async () => {
    const c = await newClient('me@here', []);
    await capture(c, 1);
    rmSync(c.layout.compaction, { recursive: true, force: true });
    writeFileSync(c.layout.compaction, 'a file where a folder belongs');
    for (const [bundle, args] of [[BIRD, ['compact']], [undefined, ['compact']]] as const) {
      const r = await runAs(c, [...args], { bundle });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/^bird(-sync)?: cannot make the lock file .*compaction\/lock \(E[A-Z]+\); .*compaction must be a folder you can write: move whatever is there aside and try again\.\n$/);
    }
  });

  it.each([
    ['bird', BIRD, ['push', '--remote', 'nosuch']],
    ['bird', BIRD, ['pull', '--bogus']],
    ['bird', BIRD, ['compact', '--since', '7d']],
    ['bird-sync', undefined, ['push', '--client', 'x']],
    ['bird-sync', undefined, ['frobnicate']],
  ])('%s %j: a command line that cannot be understood is 2', async (_, bundle, args) => {
    const c = await newClient('me@here', folder('team'));
    const r = await runAs(c, args, { bundle });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^bird(-sync)?: .+\n$/);
  });
});
