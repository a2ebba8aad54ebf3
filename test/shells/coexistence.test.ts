// The hooks beside what users already have in their shell set-ups: history settings, other
// hook frameworks, strict options. Capture must stay exact, and the set-up must keep behaving
// as the user configured it.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, ShellSession, shellEnv, tempDir, waitForRow, type Shell } from './shell-session.ts';

/** What `history` printed, as the commands alone (bash prints "  N  command"). */
function historyLines(output: string): string[] {
  return output
    .split(/\r?\n/)
    .map((l) => /^\s*\d+\*?\s+(.*)$/.exec(l)?.[1])
    .filter((l): l is string => l !== undefined);
}

describe('bash with HISTCONTROL=ignoreboth (the stock Debian and Ubuntu ~/.bashrc)', () => {
  it.each([
    ['set before the hook is sourced', true],
    ['set after it (later in ~/.bashrc)', false],
  ])('%s: every command is recorded, repeats too; a space-prefixed one stays out of BIRD and out of bash history', async (_when, before) => {
    const home = tempDir('coexist-histcontrol-home');
    const root = join(tempDir('coexist-histcontrol-root'), 'bird');
    const s = await ShellSession.start('bash', shellEnv(home, root, before ? { HISTCONTROL: 'ignoreboth' } : {}));
    try {
      if (!before) await s.run('HISTCONTROL=ignoreboth');
      const typed = ['echo x', 'echo x', 'echo x', ' echo secret', 'echo y', ' echo secret', 'echo y'];
      for (const line of typed) await s.run(line);
      const history = historyLines(await s.run('history'));
      const rows = await waitForRow(root, (r) => r.cmd === 'history', 'the history command');
      const recorded = rows.map((r) => r.cmd).filter((c) => c !== 'HISTCONTROL=ignoreboth');
      expect(recorded).toEqual(['echo x', 'echo x', 'echo x', 'echo y', 'echo y', 'history']);
      // bash's own history as ignoreboth promises: no space-prefixed line, repeats once.
      const setup = (h: string) => h.startsWith('PS1=') || h === 'HISTCONTROL=ignoreboth';
      expect(history.filter((h) => !setup(h))).toEqual(['echo x', 'echo y', 'history']);
    } finally {
      s.close();
    }
  });
});

const HOOK = (shell: Shell) => `source ${join(REPO, 'hooks', `bird.${shell}`)}`;
const BASH_PREEXEC = `source ${join(REPO, 'test', 'peers', 'bash-preexec', 'bash-preexec.sh')}`;
const ZSH_PLUGINS = ['source /usr/share/zsh-autosuggestions/zsh-autosuggestions.zsh', 'source /usr/share/zsh-syntax-highlighting/zsh-syntax-highlighting.zsh'];
// The theme draws its own prompt, rebuilt before each one: the harness's prompt marker goes in
// as one of its segments (split in the typed line, so the echo of the line is no prompt).
const POWERLEVEL9K = [
  "POWERLEVEL9K_CUSTOM_MARK='echo @''P@'; POWERLEVEL9K_LEFT_PROMPT_ELEMENTS=(dir status custom_mark); source /usr/share/powerlevel9k/powerlevel9k.zsh-theme",
];

interface Setup {
  shell: Shell;
  name: string;
  /** Typed before the hook is sourced, and after. */
  before: string[];
  after: string[];
  /** errexit: a failing command would end the shell, so none is typed. */
  noFailure?: boolean;
}

// A user's own hooks, slow on purpose (0.2 s each): a duration that took them in would show it
// whatever the machine's load, where a bar of 0 ms for a builtin failed on a busy CI machine.
const SLOW_BP_HOOKS = '__u_slow() { sleep 0.2; }; precmd_functions+=(__u_slow); preexec_functions+=(__u_slow)';

const SETUPS: Setup[] = [
  { shell: 'bash', name: 'bash-preexec loaded before the hook, and hooks added to it after', before: [BASH_PREEXEC], after: [SLOW_BP_HOOKS] },
  { shell: 'bash', name: 'bash-preexec loaded after the hook, with hooks of its own', before: [], after: [BASH_PREEXEC, SLOW_BP_HOOKS] },
  { shell: 'bash', name: 'a PROMPT_COMMAND array', before: ['__u_pc() { __u_seen=1; sleep 0.2; }', 'PROMPT_COMMAND=(__u_pc)'], after: [] },
  // A common ~/.bashrc line, and what tools such as direnv do when loaded after the hook.
  { shell: 'bash', name: 'PROMPT_COMMAND prepended to after the hook', before: [], after: ['PROMPT_COMMAND="history -a; $PROMPT_COMMAND"'] },
  { shell: 'bash', name: 'set -u and pipefail', before: [], after: ['set -u -o pipefail'] },
  { shell: 'bash', name: 'set -e', before: [], after: ['set -e'], noFailure: true },
  { shell: 'bash', name: 'shopt -s extdebug', before: ['shopt -s extdebug'], after: [] },
  { shell: 'zsh', name: 'zsh-autosuggestions and zsh-syntax-highlighting loaded before the hook', before: ZSH_PLUGINS, after: [] },
  { shell: 'zsh', name: 'zsh-autosuggestions and zsh-syntax-highlighting loaded after the hook', before: [], after: ZSH_PLUGINS },
  { shell: 'zsh', name: 'the powerlevel9k theme', before: POWERLEVEL9K, after: [] },
  { shell: 'zsh', name: 'precmd and preexec hooks added after the hook', before: [], after: ['autoload -Uz add-zsh-hook; __u_slow() { sleep 0.2 }; add-zsh-hook precmd __u_slow; add-zsh-hook preexec __u_slow'] },
  { shell: 'zsh', name: 'SH_WORD_SPLIT, KSH_ARRAYS, HIST_IGNORE_SPACE and NO_CLOBBER', before: [], after: ['setopt SH_WORD_SPLIT KSH_ARRAYS HIST_IGNORE_SPACE NO_CLOBBER'] },
  { shell: 'zsh', name: 'ERR_EXIT', before: [], after: ['setopt ERR_EXIT'], noFailure: true },
  { shell: 'fish', name: 'a fish_prompt that runs slow commands', before: [], after: ["function fish_prompt; sleep 0.2; printf '@''P@ '; end"] },
];

describe.each(SETUPS)('$shell with $name', ({ shell, before, after, noFailure }) => {
  it('captures every command exactly, with its exit code and a right duration, and prints nothing of its own', async () => {
    const home = tempDir(`coexist-${shell}-home`);
    const root = join(tempDir(`coexist-${shell}-root`), 'bird');
    const s = await ShellSession.start(shell, shellEnv(home, root), { hook: false });
    try {
      for (const line of [...before, HOOK(shell), ...after]) await s.run(line);
      const from = s.output.length;
      const quick = ['echo d1', 'echo d2', 'echo d3', 'echo d4', 'echo d5'];
      const typed = ['echo one', 'echo "two  words"', 'sleep 0.3', ...(noFailure ? [] : ['false']), ...quick, 'echo last'];
      for (const line of typed) await s.run(line);
      const rows = await waitForRow(root, (r) => r.cmd === 'echo last', 'the last command');
      const mine = rows.filter((r) => typed.includes(r.cmd));
      expect(mine.map((r) => r.cmd)).toEqual(typed);
      if (!noFailure) expect(mine.find((r) => r.cmd === 'false')!.exit_code).toBe(1);
      expect(mine.find((r) => r.cmd === 'echo one')!.exit_code).toBe(0);
      const sleep = mine.find((r) => r.cmd === 'sleep 0.3')!.duration_ms!;
      expect(sleep).toBeGreaterThanOrEqual(300);
      expect(sleep).toBeLessThan(2000);
      // A builtin takes well under a millisecond: what is recorded is the command, not the hooks
      // around it, slow ones included (the median of five, so one stall of a loaded machine does
      // not count).
      const durations = mine.filter((r) => quick.includes(r.cmd)).map((r) => r.duration_ms!).sort((a, b) => a - b);
      expect(durations[2]).toBeLessThanOrEqual(5);
      // What the commands printed, and no word from the hook (an error, a job notice).
      const printed = s.output.slice(from);
      expect(printed).toContain('two  words');
      expect(printed).not.toMatch(/bird|unbound variable|command not found|\[1\]/i);
    } finally {
      s.close();
    }
  });
});

describe('fish key bindings switched after the hook is sourced', () => {
  it('keeps Ctrl-R bound to bird search in vi mode and back in the default bindings', async () => {
    const home = tempDir('coexist-fish-vi-home');
    const root = join(tempDir('coexist-fish-vi-root'), 'bird');
    const s = await ShellSession.start('fish', shellEnv(home, root));
    try {
      // One line: in vi mode the harness's typing would land in normal mode.
      const out = await s.run('fish_vi_key_bindings; bind -M insert \\cr; bind -M default \\cr; fish_default_key_bindings; bind \\cr');
      expect(out.match(/__bird_search_key/g)).toHaveLength(3);
    } finally {
      s.close();
    }
  });
});
