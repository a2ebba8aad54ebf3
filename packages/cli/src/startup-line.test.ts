import { describe, expect, it } from 'vitest';
import type { ShellName } from '@bird/core';
import { appendedText, findHookLine, sourceLine, startupFile } from './startup-line.ts';

describe('startupFile', () => {
  it.each<[ShellName, NodeJS.ProcessEnv, string]>([
    ['zsh', {}, '/home/ana/.zshrc'],
    ['zsh', { ZDOTDIR: '/home/ana/.config/zsh' }, '/home/ana/.config/zsh/.zshrc'],
    ['bash', {}, '/home/ana/.bashrc'],
    ['fish', {}, '/home/ana/.config/fish/config.fish'],
    ['fish', { XDG_CONFIG_HOME: '/xdg' }, '/xdg/fish/config.fish'],
    ['zsh', { ZDOTDIR: '' }, '/home/ana/.zshrc'],
  ])('%s with %j: %s', (shell, env, file) => {
    expect(startupFile(shell, env, '/home/ana')).toBe(file);
  });
});

describe('sourceLine', () => {
  it.each<[ShellName, string, string]>([
    ['zsh', '/home/ana/src/bird/hooks/bird.zsh', 'source /home/ana/src/bird/hooks/bird.zsh'],
    ['bash', "/home/ana/my bird's/hooks/bird.bash", `source '/home/ana/my bird'\\''s/hooks/bird.bash'`],
    ['fish', "/home/ana/my bird's/hooks/bird.fish", `source '/home/ana/my bird\\'s/hooks/bird.fish'`],
    ['zsh', '/opt/$HOME/hooks/bird.zsh', `source '/opt/$HOME/hooks/bird.zsh'`],
  ])('%s, %s: %s', (shell, path, line) => {
    expect(sourceLine(shell, path)).toBe(line);
  });
});

describe('findHookLine', () => {
  it.each<[string, ShellName, string, { number: number; text: string } | null]>([
    ['no file content', 'zsh', '', null],
    ['the line itself', 'zsh', 'export EDITOR=vi\nsource /opt/bird/hooks/bird.zsh\n', { number: 2, text: 'source /opt/bird/hooks/bird.zsh' }],
    ['another clone, relative, indented', 'bash', 'if true; then\n  . ~/bird/hooks/bird.bash\nfi\n', { number: 2, text: '. ~/bird/hooks/bird.bash' }],
    ['the eval form', 'zsh', 'eval "$(bird hook zsh)"\n', { number: 1, text: 'eval "$(bird hook zsh)"' }],
    ['the fish pipe form', 'fish', 'bird hook fish | source\n', { number: 1, text: 'bird hook fish | source' }],
    ['a commented-out line', 'zsh', '# source /opt/bird/hooks/bird.zsh\n', null],
    ['another shell’s hook', 'zsh', 'source /opt/bird/hooks/bird.bash\n', null],
    ['a longer name', 'zsh', 'source /opt/bird/hooks/bird.zshrc-extra\n', null],
  ])('%s', (_, shell, text, found) => {
    expect(findHookLine(shell, text)).toEqual(found);
  });
});

describe('appendedText', () => {
  const LINE = 'source /opt/bird/hooks/bird.zsh';
  const BLOCK = `# bird: capture every command (added by \`bird setup --append\`)\n${LINE}\n`;
  it.each<[string, string | null, string]>([
    ['no file', null, BLOCK],
    ['an empty file', '', BLOCK],
    ['a file ending in a newline', 'alias ll=ls\n', `\n${BLOCK}`],
    ['a file whose last line has no newline', 'alias ll=ls', `\n\n${BLOCK}`],
  ])('%s', (_, existing, appended) => {
    expect(appendedText(existing, LINE)).toBe(appended);
    // Appended, the line stands on a line of its own and is found again.
    expect(findHookLine('zsh', (existing ?? '') + appended)?.text).toBe(LINE);
  });
});
