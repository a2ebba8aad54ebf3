// The hooks stay real, lintable shell: shellcheck for bash, each shell's own parser for the rest.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO } from './shell-session.ts';

const hook = (shell: string) => join(REPO, 'hooks', `bird.${shell}`);
const run = (cmd: string, args: string[]) => {
  const result = spawnSync(cmd, args, { encoding: 'utf8' });
  if (result.error) throw new Error(`${cmd} is not installed; install it (apt-get install -y ${cmd}) to lint the hooks.`);
  return `${result.stdout}${result.stderr}`.trim() + (result.status === 0 ? '' : `\nexit ${result.status}`);
};

it('bird.bash is shellcheck clean', () => expect(run('shellcheck', [hook('bash')])).toBe(''));
it('bird.bash parses', () => expect(run('bash', ['-n', hook('bash')])).toBe(''));
it('bird.zsh parses', () => expect(run('zsh', ['-n', hook('zsh')])).toBe(''));
it('bird.fish parses', () => expect(run('fish', ['--no-execute', hook('fish')])).toBe(''));
