// The README's set-up, followed literally on a machine without a build toolchain: clone, `npm
// install` with no compiler, Python or make on PATH, `source hooks/bird.zsh` in a real zsh, bash
// and fish with an empty HOME, `bird history` by that name before and after a first command,
// `bird setup --append`, and a new shell that loads the hook from its startup file. Also: the
// hook puts the clone's bin/ on PATH in every shell only when no bird is there already, the
// README's install and uninstall steps do what they say, and a clone npm install did not build
// says so in one line.
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

/** Each shell's startup file under HOME, as `bird setup` names it. */
const STARTUP: Record<Shell, string> = { zsh: '~/.zshrc', bash: '~/.bashrc', fish: '~/.config/fish/config.fish' };

/** `bird history -n 5` in `s`, typed until it lists `cmd` (the drainer stores it in the background); what it printed. */
async function historyShowing(s: ShellSession, cmd: string): Promise<string> {
  let shown = '';
  for (let tries = 0; tries < 50 && !shown.includes(cmd); tries++) {
    shown = await s.run('bird history -n 5');
    if (!shown.includes(cmd)) await new Promise((r) => setTimeout(r, 200));
  }
  expect(shown).toContain(cmd);
  return shown;
}

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

  it.each(SHELLS)(
    '%s: its hook sourced in the clone as the README says, then the README: no message contradicts what was just done',
    async (shell) => {
      expect(install.status).toBe(0);
      expect(onPath('bird', PLAIN_PATH), 'this machine has a bird on PATH already, so the test would prove nothing').toBeUndefined();
      const home = tempDir(`fresh-clone-home-${shell}`);
      // An empty HOME and no BIRD_ROOT: the store goes where the README says, ~/.local/share/bird.
      const env = shellEnv(home, '', { PATH: PLAIN_PATH });
      delete env.BIRD_ROOT;
      const s = await ShellSession.start(shell, env, { cwd: clone, source: `source hooks/bird.${shell}` });
      shells.push(s);
      // Straight after sourcing, before any command was recorded (bird's own never are).
      const before = await s.run('bird history');
      expect(before).toContain("No commands yet: this shell's hook records each command when it finishes (bird's own commands are not recorded).");
      expect(before).not.toMatch(/no BIRD store|source a hook/);
      expect(await s.run('bird stats')).toContain('No commands yet.');

      const marker = `fresh-clone-${shell}-${process.pid}`;
      await s.run(`echo ${marker}`);
      const shown = await historyShowing(s, `echo ${marker}`);
      expect(shown).not.toContain('command not found');
      // eslint-disable-next-line no-control-regex
      expect((await s.run('bird stats')).replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/\b1 command, 1 distinct/);
      const where = await s.run(shell === 'fish' ? 'command -s bird bird-sync' : shell === 'zsh' ? 'whence -p bird bird-sync' : 'type -P bird bird-sync');
      expect(where).toContain(join(clone, 'bin', 'bird'));
      expect(where).toContain(join(clone, 'bin', 'bird-sync'));

      // "To keep it": the line that goes in the startup file names the hook by its absolute path.
      const line = `source ${join(clone, 'hooks', `bird.${shell}`)}`;
      const setup = await s.run('bird setup --append');
      expect(setup).toContain(`Added \`${line}\` to ${STARTUP[shell]}: every new ${shell} captures, as this one does already.`);
      expect(readFileSync(join(home, STARTUP[shell].slice(2)), 'utf8')).toContain(`\n${line}\n`);
      expect(await s.run('bird setup --append')).toContain(`${STARTUP[shell]} loads bird's hook already`);
      s.close();

      // A new shell that reads its startup file, outside the clone, captures and finds bird by name.
      const next = await ShellSession.start(shell, env, { cwd: home, args: ['-i'], hook: false });
      shells.push(next);
      await next.run(`echo ${marker}-next`);
      expect(await historyShowing(next, `echo ${marker}-next`)).not.toContain('command not found');
    },
    180_000,
  );

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
    // The command as the README gives it, and quiet: npm 11 warns of install scripts it has not
    // reviewed (bird's own prepare), which the README's command does not run.
    const [npm, ...args] = /`(npm install -g \.[^`]*)`/.exec(readFileSync(join(clone, 'README.md'), 'utf8'))![1]!.split(' ');
    expect(npm).toBe('npm');
    const installed = spawnSync('npm', [...args, '--no-audit', '--no-fund', '--offline'], { cwd: clone, env, encoding: 'utf8' });
    expect(installed.status, installed.stderr).toBe(0);
    expect(installed.stdout + installed.stderr).not.toMatch(/install-scripts|allowScripts|allow-scripts/);
    expect(readdirSync(join(prefix, 'bin')).sort()).toEqual(['bird', 'bird-capture', 'bird-sync']);
    expect(spawnSync('bird', ['--version'], { env, encoding: 'utf8' }).stdout).toMatch(/^bird \d/);
    const removed = spawnSync('npm', ['uninstall', '-g', 'bird', '--offline'], { cwd: tempDir('elsewhere'), env, encoding: 'utf8' });
    expect(removed.status, removed.stderr).toBe(0);
    expect(readdirSync(join(prefix, 'bin'))).toEqual([]);
    expect(existsSync(join(prefix, 'lib/node_modules/bird'))).toBe(false);
  });
});

describe('a clone where `npm install` was skipped', () => {
  let clone = '';
  beforeAll(() => {
    clone = join(tempDir('unbuilt-clone'), 'bird');
    expect(spawnSync('git', ['clone', '--quiet', REPO, clone], { encoding: 'utf8' }).stderr).toBe('');
  });
  const notBuilt = (name: string) => `${name}: bird is not built in ${clone}: run \`npm install\` there.\n`;

  it('bird, bird-sync and bird-capture each say so in one line, exit 1', () => {
    const home = tempDir('unbuilt-home');
    const env = { PATH: PLAIN_PATH, HOME: home, BIRD_ROOT: join(home, 'root') };
    for (const [name, args] of [['bird', ['history']], ['bird-sync', []], ['bird-capture', ['--cmd', 'ls', '--exit', '0', '--start-us', '1', '--session', 's']]] as const) {
      const r = spawnSync(join(clone, 'bin', name), args, { env, encoding: 'utf8' });
      expect({ code: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 1, stdout: '', stderr: notBuilt(name) });
    }
    expect(existsSync(join(home, 'root'))).toBe(false);
  });

  it.each(SHELLS)('%s: sourcing the hook leaves a shell that works, and `bird` says to run npm install', async (shell) => {
    const home = tempDir(`unbuilt-${shell}`);
    const s = await ShellSession.start(shell, shellEnv(home, join(home, 'root'), { PATH: PLAIN_PATH }), { cwd: clone, source: `source hooks/bird.${shell}` });
    shells.push(s);
    const echoed = await s.run('echo "still""-working"');
    expect(echoed).toContain('still-working');
    expect(echoed).not.toMatch(/node:internal|Cannot find module|bird-capture/);
    const history = await s.run('bird history');
    expect(history).toContain(notBuilt('bird').trim());
    expect(history).not.toMatch(/node:internal|Cannot find module/);
  }, 60_000);
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
