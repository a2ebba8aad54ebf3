import { describe, expect, it } from 'vitest';
import { executableOf } from './executable.ts';

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
