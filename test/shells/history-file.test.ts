// The hook must leave the shell's own history file as the shell writes it without bird: a user
// who stops using bird, or runs `bird import`, depends on it. (zsh caught this: the hook's
// subshell that starts a drainer ran `exit`, which in zsh saves the history again, restamping
// every entry with the current time and writing this session's commands twice.)
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, ShellSession, shellEnv, tempDir, waitForNoDrainer } from './shell-session.ts';

beforeAll(() => {
  execFileSync(process.execPath, [join(REPO, 'scripts/build.mjs'), 'capture'], { stdio: 'inherit' });
});

const OLD = ': 1700000000:0;echo old-one\n: 1700000005:3;echo old-two\n';

/** The history file after one session typing `lines`, from a file holding OLD; with or without the hook. */
async function historyAfter(shell: 'zsh' | 'bash', hook: boolean, lines: readonly string[]): Promise<string> {
  const home = tempDir(`histfile-${shell}-home`);
  const root = join(home, 'bird');
  const histfile = join(home, `.${shell}_history`);
  writeFileSync(histfile, shell === 'zsh' ? OLD : '#1700000000\necho old-one\n#1700000005\necho old-two\n');
  writeFileSync(join(home, '.zshrc'), 'setopt extended_history; HISTSIZE=1000; SAVEHIST=1000\n');
  const env = shellEnv(home, root, { HISTFILE: histfile, ZDOTDIR: home, HISTTIMEFORMAT: '%s ' });
  // zsh with its rc files (zsh -f neither loads nor saves history as a user's zsh does).
  const s = await ShellSession.start(shell, env, { hook, args: shell === 'zsh' ? ['-i'] : undefined });
  try {
    for (const line of lines) await s.run(line);
    s.term.write('exit\r');
    await s.until(() => s.exited, 'the shell to exit');
  } finally {
    s.close();
  }
  if (hook) await waitForNoDrainer(root);
  // The new entries' times are whenever the test ran: compare their commands, and the old ones whole.
  return readFileSync(histfile, 'utf8').replace(/^: \d{10}:\d+;(?!echo old)/gm, ': NOW;').replace(/^#\d{10}\n(?!echo old)/gm, '#NOW\n');
}

describe.each(['zsh', 'bash'] as const)('%s', (shell) => {
  it('writes its history file the same with the hook as without it', async () => {
    const lines = ['echo one', 'echo two', 'true'];
    const without = await historyAfter(shell, false, lines);
    const withHook = await historyAfter(shell, true, lines);
    expect(without).toContain(shell === 'zsh' ? OLD : '#1700000000\necho old-one\n');
    expect(withHook.replace(/source \S+bird\.\w+/, 'true')).toBe(without);
  }, 60_000);
});
