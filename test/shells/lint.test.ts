// The hooks stay real, lintable shell: shellcheck for bash (following hooks/install.bash, which
// the hook sources), each shell's own parser for the rest, the install files the build writes too.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO } from './shell-session.ts';

const hook = (shell: string, name = 'bird') => join(REPO, 'hooks', `${name}.${shell}`);
const run = (cmd: string, args: string[]) => {
  const result = spawnSync(cmd, args, { encoding: 'utf8' });
  if (result.error) throw new Error(`${cmd} is not installed; install it (apt-get install -y ${cmd}) to lint the hooks.`);
  return `${result.stdout}${result.stderr}`.trim() + (result.status === 0 ? '' : `\nexit ${result.status}`);
};

it('bird.bash is shellcheck clean', () => expect(run('shellcheck', ['-x', hook('bash')])).toBe(''));
it.each(['bird', 'install'])('%s.bash parses', (name) => expect(run('bash', ['-n', hook('bash', name)])).toBe(''));
it.each(['bird', 'install'])('%s.zsh parses', (name) => expect(run('zsh', ['-n', hook('zsh', name)])).toBe(''));
it.each(['bird', 'install'])('%s.fish parses', (name) => expect(run('fish', ['--no-execute', hook('fish', name)])).toBe(''));
// What a shell under the output recorder reads (hooks/recorder): bash's rc file, zsh's ZDOTDIR.
it('the recorder’s bashrc is shellcheck clean', () => expect(run('shellcheck', [join(REPO, 'hooks', 'recorder', 'bashrc')])).toBe(''));
it.each(['.zshenv', '.zprofile', '.zshrc'])('the recorder’s zsh %s parses', (name) => expect(run('zsh', ['-n', join(REPO, 'hooks', 'recorder', 'zsh', name)])).toBe(''));
