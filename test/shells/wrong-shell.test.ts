// Sourcing a hook in the wrong shell (the README's zsh line typed into bash) must say which file
// that shell needs, not return 0 having done nothing.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO, tempDir } from './shell-session.ts';

const source = (shell: string, file: string) =>
  spawnSync(shell, ['-c', `source ${join(REPO, 'hooks', `bird.${file}`)}; echo "status=$?"`], { encoding: 'utf8', env: { PATH: process.env.PATH!, HOME: tempDir('wrong-shell-home') } });

it.each([
  ['bash', 'zsh', /^bird: hooks\/bird\.zsh is the zsh hook; in bash source hooks\/bird\.bash instead/],
  ['bash', 'fish', /^bird: hooks\/bird\.fish is the fish hook; source hooks\/bird\.zsh \(zsh\) or hooks\/bird\.bash \(bash\) instead/],
  ['zsh', 'bash', /^bird: hooks\/bird\.bash is the bash hook; in zsh source hooks\/bird\.zsh instead/],
  ['zsh', 'fish', /^bird: hooks\/bird\.fish is the fish hook/],
])('%s sourcing bird.%s says in one line which file to source, and fails', (shell, file, message) => {
  const r = source(shell, file);
  expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(message)]);
  expect(r.stdout).toBe('status=1\n');
});

it.each([['bash'], ['zsh']])('%s sourcing its own hook (not interactive here) says nothing', (shell) => {
  expect(source(shell, shell)).toMatchObject({ stdout: 'status=0\n', stderr: '' });
});
