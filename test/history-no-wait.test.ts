// End to end: `bird history` over a store too large to rebuild its index while a person waits
// (BIRD_INDEX_FOREGROUND_BYTES=0 makes every store that large) answers from the store at once,
// exactly, and leaves the rebuild to a detached `bird-sync index`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildIndex, encodeSnapshot, indexFiles, staleName, type HistoryRow } from '@bird/history-index';
import { at, buildBundles, inTerminal, sandboxFactory, type Sandbox } from './cli-helpers.ts';

beforeAll(() => buildBundles());

const sandbox = sandboxFactory();
const LARGE = { BIRD_INDEX_FOREGROUND_BYTES: '0' };

const newest = (s: Sandbox, n: number, env: Record<string, string> = LARGE) => {
  const run = s.bird(['history', '-n', String(n), '--format', 'csv'], { env });
  expect(run.code).toBe(0);
  return { cmds: run.stdout.split('\n').slice(1).filter(Boolean).map((l) => l.split(',')[4]), stderr: run.stderr };
};

async function waitFor(what: string, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The detached rebuild has written its snapshot and let go of its lock. */
const rebuilt = (s: Sandbox) => {
  const files = indexFiles(join(s.root, 'db', 'history-index'));
  return () => existsSync(files.snapshot) && !existsSync(files.lock) && !readdirSync(files.dir).some((n) => n.startsWith('stale-'));
};

describe('bird history while the index is rebuilt', () => {
  it('answers a missing index from the store at once, says so, and the index is rebuilt in the background', async () => {
    const s = sandbox();
    for (let i = 0; i < 6; i++) s.capture({ cmd: `echo ${i}`, exit: 0, startUs: at(i) });
    expect(newest(s, 3, {}).cmds).toEqual(['echo 5', 'echo 4', 'echo 3']);
    rmSync(join(s.root, 'db', 'history-index'), { recursive: true });

    const first = newest(s, 3);
    expect(first.cmds).toEqual(['echo 5', 'echo 4', 'echo 3']);
    expect(first.stderr).toMatch(/^bird: the history index is being rebuilt in the background; this answer was read from the store/);
    const found = s.bird(['history', 'echo 1', '--format', 'csv'], { env: LARGE }).stdout;
    expect(found.split('\n').slice(1).filter(Boolean).map((l) => l.split(',')[4])).toEqual(['echo 1']);
    await waitFor('the detached rebuild', rebuilt(s));
    // Read from the index again: nothing said, the same rows.
    expect(newest(s, 3)).toEqual({ cmds: ['echo 5', 'echo 4', 'echo 3'], stderr: '' });
  });

  it('never shows what a killed forget left in the old index: the store is read, not the stale index', async () => {
    const s = sandbox();
    for (let i = 0; i < 3; i++) s.capture({ cmd: `echo ${i}`, exit: 0, startUs: at(i) });
    expect(newest(s, 5, {}).cmds).toEqual(['echo 2', 'echo 1', 'echo 0']);
    // The index as a forget killed mid-way leaves it: it still holds a command the store no
    // longer has, and the dead forget's marker says the index is stale.
    const files = indexFiles(join(s.root, 'db', 'history-index'));
    const forgotten: HistoryRow = { id: '0190f000-0000-7000-8000-0000000000ff', timestampUs: Number(at(9)), durationMs: 1, exitCode: 0, cmd: 'export TOKEN=hunter2', cwd: '/tmp', session: 's', host: 'box', source: 'local' };
    writeFileSync(files.snapshot, encodeSnapshot(buildIndex([forgotten]), Date.now()));
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(join(files.dir, staleName('0190f000-0000-7000-8000-00000000000d')), `${dead} - -`);

    const read = newest(s, 5);
    expect(read.cmds).toEqual(['echo 2', 'echo 1', 'echo 0']);
    expect(read.stderr).toMatch(/being rebuilt in the background/);
    await waitFor('the detached rebuild', rebuilt(s));
    expect(newest(s, 5)).toEqual({ cmds: ['echo 2', 'echo 1', 'echo 0'], stderr: '' });
  });

  it('Ctrl-R searches the newest commands read from the store, says so, and the index is rebuilt in the background', async () => {
    const s = sandbox();
    for (let i = 0; i < 6; i++) s.capture({ cmd: `echo ${i}`, exit: 0, startUs: at(i) });
    expect(newest(s, 1, {}).cmds).toEqual(['echo 5']);
    rmSync(join(s.root, 'db', 'history-index'), { recursive: true });
    const { code, out } = await inTerminal(s, ['search', '--shell', 'zsh'], {
      env: { ...LARGE, NO_COLOR: '1' },
      steps: [{ waitFor: /the index is being rebuilt: searching the newest 6 commands/, keys: 'echo 3' }, { waitFor: /\/1 {2}/, keys: '\r' }],
    });
    expect(code).toBe(0);
    expect(out).not.toMatch(/building the search index/);
    expect(out.trimEnd().endsWith('insert\n\necho 3')).toBe(true);
    await waitFor('the detached rebuild', rebuilt(s));
  });

  it('a small store still rebuilds first and answers from the index, with nothing said', () => {
    const s = sandbox();
    s.capture({ cmd: 'echo small', exit: 0, startUs: at(1) });
    expect(newest(s, 1, {}).cmds).toEqual(['echo small']);
    rmSync(join(s.root, 'db', 'history-index'), { recursive: true });
    expect(newest(s, 1, {})).toEqual({ cmds: ['echo small'], stderr: '' });
    expect(existsSync(indexFiles(join(s.root, 'db', 'history-index')).snapshot)).toBe(true);
  });
});
