import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hookInstallFile, hookInstallValues } from './hook-install-file.ts';
import { runShell } from './testing/run-shell.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const SHELLS = ['zsh', 'bash', 'fish'] as const;

describe.each(SHELLS)('hooks/install.%s', (shell) => {
  it('is what the build writes from the layout (run `node scripts/build.mjs` after changing it)', () => {
    expect(readFileSync(join(REPO, 'hooks', `install.${shell}`), 'utf8')).toBe(hookInstallFile(shell));
  });

  it('gives the shell every value exactly, also when sourced in a function', () => {
    const values = hookInstallValues(shell);
    const names = values.map(([name]) => name);
    const show = shell === 'fish' ? `printf '%s\\n' ${names.map((n) => `$${n}`).join(' ')}` : `printf '%s\\n' ${names.map((n) => `"$${n}"`).join(' ')}`;
    const load = shell === 'fish' ? `function load; source ${join(REPO, 'hooks', `install.${shell}`)}; end; load` : `load() { source ${join(REPO, 'hooks', `install.${shell}`)}; }; load`;
    expect(runShell(shell, `${load}\n${show}`)).toBe(values.map(([, value]) => `${value}\n`).join(''));
  });
});
