import { describe, expect, it } from 'vitest';
import { commandAsRun, executableOf } from './executable.ts';

describe('executableOf', () => {
  it.each([
    ['ls -la', 'ls'],
    ['  git status  ', 'git'],
    ['/usr/bin/python3 script.py', 'python3'],
    ['./node_modules/.bin/vitest run', 'vitest'],
    ['FOO=1 BAR=2 make test', 'make'],
    ['sudo -E apt-get install zsh', 'apt-get'],
    ['sudo env FOO=1 nice -n 5 cargo build', 'cargo'],
    ['time npm test', 'npm'],
    ['sudo -u postgres psql', 'psql'],
    ['sudo --user=postgres psql', 'psql'],
    ['nice -n 10 make', 'make'],
    ['env -u HOME bash', 'bash'],
    ['time -f %e sleep 1', 'sleep'],
    ['ls -u x', 'ls'],
    ['nohup ./server &', 'server'],
    ['exec zsh', 'zsh'],
    ['command -v git', 'git'],
    ['"my tool" --flag', 'my'],
    ["'ls'", 'ls'],
    ['ls|wc -l', 'ls|wc'],
    ['git\tlog', 'git'],
    ['echo héllo', 'echo'],
    ['', null],
    ['   ', null],
    ['FOO=1', null],
    ['sudo', null],
    ['sudo -E', null],
  ])('%j runs %j', (cmd, expected) => {
    expect(executableOf(cmd)).toBe(expected);
  });
});

describe('commandAsRun', () => {
  it.each([
    ['bird history', 'bird history'],
    ['  bird history  ', 'bird history'],
    ['npx bird history', 'bird history'],
    ['npx --no-install bird sql "SELECT 1"', 'bird sql "SELECT 1"'],
    ['npx -p bird bird history', 'bird history'],
    ['time bird history -n 5', 'bird history -n 5'],
    ['BIRD_ROOT=/tmp/x bird history', 'bird history'],
    ['/home/me/bird/packages/cli/bin/bird.cjs history', 'bird history'],
    ['./packages/sync-worker/bin/bird-sync.cjs push', 'bird-sync push'],
    ['node packages/cli/bin/bird.cjs history', 'bird history'],
    ['node --no-warnings bird.cjs', 'bird'],
    ['/usr/local/bin/bird', 'bird'],
    ['sudo -u me npx bird stats', 'bird stats'],
    // Not a tool started by name: left as typed.
    ['node -e "console.log(1)"', 'node -e "console.log(1)"'],
    ['node', 'node'],
    ['npx', 'npx'],
    ['node server', 'node server'],
    ['ls -la', 'ls -la'],
    ['./configure --prefix=/usr', 'configure --prefix=/usr'],
    ['echo bird history', 'echo bird history'],
    ['', ''],
  ])('%j is %j', (cmd, expected) => {
    expect(commandAsRun(cmd)).toBe(expected);
  });
});
