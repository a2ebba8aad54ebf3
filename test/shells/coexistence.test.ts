// The hooks beside what users already have in their shell set-ups: history settings, other
// hook frameworks, strict options. Capture must stay exact, and the set-up must keep behaving
// as the user configured it.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ShellSession, shellEnv, tempDir, waitForRow } from './shell-session.ts';

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
