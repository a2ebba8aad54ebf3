import { describe, expect, it } from 'vitest';
import { hookPreamble, renderHook } from './hook-script.ts';
import { fishQuote, posixQuote } from './shell-quote.ts';
import { runShell } from './testing/run-shell.ts';

const PATHS = ['/opt/bird', "/home/o'neil/bird", '/a b/$HOME/`x`/"q"/\\/x'];

/** What `shell`, running the preamble, holds in the variables the hook reads first. */
function afterPreamble(shell: 'zsh' | 'bash' | 'fish', installRoot: string, bindUp: boolean): string[] {
  const show = shell === 'fish' ? 'printf "%s\\n" $__bird_install $__bird_i_capture $__bird_hs' : 'printf "%s\\n" "$__bird_install" "$__bird_i_capture" "$__bird_hs"';
  return runShell(shell, `${hookPreamble(shell, installRoot, { bindKeys: true, bindUp, output: false })}${show}`).split('\n').slice(0, 3);
}

describe('hookPreamble', () => {
  it.each(PATHS.flatMap((path) => (['zsh', 'bash', 'fish'] as const).map((shell) => [shell, path] as const)))(
    '%s reads back the install %j exactly, the layout and the settings given',
    (shell, path) => {
      expect(afterPreamble(shell, path, true)).toEqual([path, 'packages/capture/dist/bird-capture.cjs', 'bird-hook-settings 2 bind_keys=1 bind_up=1 output=0']);
    },
  );

  it.each(PATHS)('quotes %j for sh and fish', (path) => {
    expect(posixQuote(path).startsWith("'")).toBe(true);
    expect(fishQuote(path)).toBe(`'${path.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`);
  });
});

describe('renderHook', () => {
  it('puts the preamble first and the hook file after it, unchanged', () => {
    const settings = { bindKeys: false, bindUp: false, output: false };
    expect(renderHook('zsh', 'a\nb\n', '/x', settings)).toBe(`${hookPreamble('zsh', '/x', settings)}a\nb\n`);
    expect(renderHook('bash', 'a', '/x', settings).endsWith('\na\n')).toBe(true);
    expect(hookPreamble('fish', '/x', settings)).toMatch(/^set -g __bird_install '\/x'\n[\s\S]*\nset -g __bird_hs 'bird-hook-settings 2 bind_keys=0 bind_up=0 output=0'\n$/);
  });
});
