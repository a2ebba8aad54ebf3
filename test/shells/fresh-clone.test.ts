// The README's set-up, followed literally on a machine without a build toolchain: clone, `npm
// install` with no compiler, Python or make on PATH, `source hooks/bird.zsh` in a real zsh, then
// `bird history` by that name. Also: the hook puts the clone's bin/ on PATH in every shell only
// when no bird is there already, and the README's install and uninstall steps do what they say.
//
// The clone is of what is committed (HEAD): in CI that is the code under test.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, SHELLS, ShellSession, shellEnv, tempDir, type Shell } from './shell-session.ts';

/** PATH without any node_modules/.bin (vitest puts this checkout's, which holds a bird, on it). */
const PLAIN_PATH = (process.env.PATH ?? '/usr/bin:/bin')
  .split(':')
  .filter((dir) => dir !== '' && !dir.includes('node_modules'))
  .join(':');

/** Which program `name` the PATH finds, as `command -v` would; undefined when none. */
function onPath(name: string, path: string): string | undefined {
  for (const dir of path.split(':')) if (dir && existsSync(join(dir, name))) return join(dir, name);
  return undefined;
}

/**
 * A folder of links to the few tools an `npm install` needs (Node, npm, a shell, git and core
 * utilities), so that PATH holds no C compiler, make or Python: node-gyp cannot build anything.
 */
function toolsWithoutCompiler(): string {
  const tools = tempDir('no-compiler');
  for (const name of ['node', 'npm', 'npx', 'sh', 'bash', 'env', 'git', 'uname', 'cat', 'rm', 'mkdir', 'cp', 'ln', 'chmod', 'dirname', 'basename', 'sed', 'grep']) {
    const found = onPath(name, PLAIN_PATH);
    if (found) symlinkSync(found, join(tools, name));
  }
  for (const compiler of ['cc', 'gcc', 'g++', 'c++', 'clang', 'make', 'python', 'python3']) expect(existsSync(join(tools, compiler))).toBe(false);
  return tools;
}

/** This process's environment for an npm run with `path`: npm's own variables (set by `npm test`) left out. */
function npmEnv(path: string, extra: Record<string, string> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, PATH: path, ...extra };
  for (const name of ['CC', 'CXX', 'PYTHON', 'NODE_EXTRA_CA_CERTS']) delete env[name];
  for (const name of Object.keys(env)) if (name.startsWith('npm_') && !(name in extra)) delete env[name];
  return env;
}

const shells: ShellSession[] = [];
afterAll(() => {
  for (const s of shells) s.close();
});

describe('a fresh clone set up as the README says, with no compiler on PATH', () => {
  let clone = '';
  let install: ReturnType<typeof spawnSync>;
  let tools = '';

  beforeAll(() => {
    clone = join(tempDir('fresh-clone'), 'bird');
    const cloned = spawnSync('git', ['clone', '--quiet', REPO, clone], { encoding: 'utf8' });
    expect(cloned.stderr).toBe('');
    tools = toolsWithoutCompiler();
    // Nothing points node-gyp at a compiler or a Python by another way than PATH (CC, PYTHON, npm_config_python).
    install = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: clone, env: npmEnv(tools), encoding: 'utf8', timeout: 600_000 });
  }, 660_000);

  it('npm install succeeds and builds the bundles; node-pty (only the tests use it) is skipped', () => {
    expect(install.status, `${install.stdout}\n${install.stderr}`).toBe(0);
    for (const bundle of ['packages/cli/dist/bird.cjs', 'packages/capture/dist/bird-capture.cjs', 'packages/sync-worker/dist/bird-sync.cjs']) expect(existsSync(join(clone, bundle)), bundle).toBe(true);
    // Proof that a compiler would have been needed: node-pty ships no Linux prebuild.
    expect(existsSync(join(clone, 'node_modules/node-pty'))).toBe(false);
  });

  it('zsh: `source hooks/bird.zsh` in the clone, a command, then `bird history` by name shows it', async () => {
    expect(install.status).toBe(0);
    expect(onPath('bird', PLAIN_PATH), 'this machine has a bird on PATH already, so the test would prove nothing').toBeUndefined();
    const home = tempDir('fresh-clone-home');
    const env = shellEnv(home, join(home, 'bird-root'), { PATH: PLAIN_PATH });
    const zsh = await ShellSession.start('zsh', env, { cwd: clone, source: 'source hooks/bird.zsh' });
    shells.push(zsh);
    const marker = `fresh-clone-${process.pid}`;
    await zsh.run(`echo ${marker}`);
    let shown = '';
    for (let tries = 0; tries < 50 && !shown.includes(`echo ${marker}`); tries++) {
      shown = await zsh.run('bird history -n 5');
      if (!shown.includes(`echo ${marker}`)) await new Promise((r) => setTimeout(r, 200));
    }
    expect(shown).toContain(`echo ${marker}`);
    expect(shown).not.toContain('command not found');
    const where = await zsh.run('whence -p bird bird-sync');
    expect(where).toContain(join(clone, 'bin', 'bird'));
    expect(where).toContain(join(clone, 'bin', 'bird-sync'));
  }, 120_000);

  it('`npx bird-sync` in the clone runs the clone’s own bird-sync, not the registry’s', () => {
    expect(install.status).toBe(0);
    const r = spawnSync('npx', ['--no-install', 'bird-sync', '--help'], { cwd: clone, env: npmEnv(PLAIN_PATH, { npm_config_offline: 'true' }), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^usage: bird-sync/);
  });

  it('the README’s global install and `npm uninstall -g bird` put bird on PATH and take it away', () => {
    expect(install.status).toBe(0);
    const prefix = tempDir('npm-prefix');
    const env = npmEnv(`${join(prefix, 'bin')}:${PLAIN_PATH}`, { npm_config_prefix: prefix });
    const installed = spawnSync('npm', ['install', '-g', '.', '--no-audit', '--no-fund', '--offline'], { cwd: clone, env, encoding: 'utf8' });
    expect(installed.status, installed.stderr).toBe(0);
    expect(readdirSync(join(prefix, 'bin')).sort()).toEqual(['bird', 'bird-capture', 'bird-sync']);
    expect(spawnSync('bird', ['--version'], { env, encoding: 'utf8' }).stdout).toMatch(/^bird \d/);
    const removed = spawnSync('npm', ['uninstall', '-g', 'bird', '--offline'], { cwd: tempDir('elsewhere'), env, encoding: 'utf8' });
    expect(removed.status, removed.stderr).toBe(0);
    expect(readdirSync(join(prefix, 'bin'))).toEqual([]);
    expect(existsSync(join(prefix, 'lib/node_modules/bird'))).toBe(false);
  });
});

describe('the hook puts the clone’s bin/ on PATH only when no bird is on it', () => {
  // The marker is split in the typed line so that its echo does not match.
  const printPath: Record<Shell, string> = { zsh: 'echo "@@""PATH=$PATH"', bash: 'echo "@@""PATH=$PATH"', fish: 'echo "@@""PATH="(string join : $PATH)' };
  const pathLine = (out: string) => /@@PATH=(\S*)/.exec(out.replace(/\r/g, ''))?.[1];

  it.each(SHELLS)('%s: without a bird, bin/ goes at the end and `bird --version` works by name', async (shell) => {
    const home = tempDir(`path-${shell}`);
    const s = await ShellSession.start(shell, shellEnv(home, join(home, 'root'), { PATH: PLAIN_PATH }));
    shells.push(s);
    expect(pathLine(await s.run(printPath[shell]))?.split(':').at(-1)).toBe(join(REPO, 'bin'));
    expect(await s.run('bird --version')).toMatch(/bird \d+\.\d+\.\d+/);
  }, 60_000);

  it.each(SHELLS)('%s: with a bird already on PATH, PATH stays as it was', async (shell) => {
    const home = tempDir(`path-own-${shell}`);
    const own = join(home, 'own-bin');
    mkdirSync(own);
    writeFileSync(join(own, 'bird'), '#!/bin/sh\necho own-bird\n');
    chmodSync(join(own, 'bird'), 0o755);
    const path = `${own}:${PLAIN_PATH}`;
    const s = await ShellSession.start(shell, shellEnv(home, join(home, 'root'), { PATH: path }));
    shells.push(s);
    const shown = pathLine(await s.run(printPath[shell]));
    expect(shown).toBe(path);
    expect(await s.run('bird')).toContain('own-bird');
  }, 60_000);
});

it('bin/ holds exactly the bins the root package links, each pointing at the same file', () => {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  const bin = join(REPO, 'bin');
  expect(readdirSync(bin).sort()).toEqual(Object.keys(pkg.bin).sort());
  for (const [name, target] of Object.entries(pkg.bin)) {
    expect(lstatSync(join(bin, name)).isSymbolicLink()).toBe(true);
    expect(resolve(bin, readlinkSync(join(bin, name)))).toBe(join(REPO, target));
  }
});
