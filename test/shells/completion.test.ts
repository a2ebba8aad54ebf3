// Tab completion for bird in real zsh, bash and fish, loaded by the hook (and in zsh also when
// compinit runs only after it, as in most ~/.zshrc files): commands, flags, a flag's values,
// remote names from config.toml and file names are completed on the line as the user types.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, SHELLS, ShellSession, shellEnv, tempDir, type Shell } from './shell-session.ts';

const BIRD = join(REPO, 'packages/cli/dist/bird.cjs');
const sessions: ShellSession[] = [];
afterAll(() => {
  for (const s of sessions) s.close();
});

/** Types `typed` and a Tab, waits until `expected` is drawn after it, then abandons the line. */
async function tabCompletes(s: ShellSession, typed: string, expected: string): Promise<void> {
  const from = s.output.length;
  s.term.write(`${typed}\t`);
  // eslint-disable-next-line no-control-regex
  const drawn = () => s.output.slice(from).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
  await s.until(() => drawn().includes(expected), `Tab after ${JSON.stringify(typed)} to give ${JSON.stringify(expected)}`, 15_000);
  await s.ctrlCAtPrompt('-');
}

async function startWithRemote(shell: Shell, source?: string): Promise<ShellSession> {
  const home = tempDir(`complete-${shell}`);
  const root = join(home, 'root');
  const env = shellEnv(home, root);
  const lake = join(home, 'team-lake');
  mkdirSync(lake);
  const added = spawnSync(process.execPath, [BIRD, 'remote', 'add', 'team', '--type', 'file', '--uri', lake], { env, encoding: 'utf8' });
  expect(added.stderr).toBe('');
  writeFileSync(join(home, 'weekly-report.sql'), 'SELECT 1');
  const s = await ShellSession.start(shell, env, source === undefined ? {} : { source });
  sessions.push(s);
  return s;
}

async function checkCompletions(s: ShellSession): Promise<void> {
  await tabCompletes(s, 'bird hi', 'bird history');
  await tabCompletes(s, 'bird history --for', '--format');
  await tabCompletes(s, 'bird history --format j', 'json');
  await tabCompletes(s, 'bird remote remove t', 'remove team');
  await tabCompletes(s, 'bird sql --file week', 'weekly-report.sql');
}

describe.each(SHELLS)('%s', (shell) => {
  it('completes commands, flags, values, remote names and files after the hook is sourced', async () => {
    const s = await startWithRemote(shell);
    // zsh's completion system is loaded by compinit, which ~/.zshrc usually runs after the
    // source line: the completion registers itself at the next prompt.
    if (shell === 'zsh') await s.run('autoload -Uz compinit && compinit -u');
    await checkCompletions(s);
  }, 90_000);
});

it('zsh: also when compinit ran before the hook was sourced', async () => {
  const s = await startWithRemote('zsh', `autoload -Uz compinit && compinit -u; source ${join(REPO, 'hooks/bird.zsh')}`);
  await checkCompletions(s);
}, 90_000);

it.each(SHELLS)('%s: `bird completion SHELL` is the file the hook loads, and `bird hook` prints it after the hook', (shell) => {
  const run = (...args: string[]) => spawnSync(process.execPath, [BIRD, ...args], { encoding: 'utf8' });
  const completion = run('completion', shell);
  expect(completion.status).toBe(0);
  expect(completion.stdout).toContain('bird __complete');
  expect(run('hook', shell).stdout.endsWith(completion.stdout)).toBe(true);
});

it('`bird completion` for an unknown shell says which ones there are', () => {
  const r = spawnSync(process.execPath, [BIRD, 'completion', 'tcsh'], { encoding: 'utf8' });
  expect(r.status).toBe(2);
  expect(r.stderr.trim()).toMatch(/^bird: the shell must be zsh, bash or fish, not "tcsh"\.$/);
});
