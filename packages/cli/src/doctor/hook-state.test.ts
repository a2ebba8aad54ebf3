import { describe, expect, it } from 'vitest';
import { judgeHook, parseHookMarker, type HookState, type ProcessInfo } from './hook-state.ts';

const p = (pid: number, comm: string): ProcessInfo => ({ pid, comm });

describe('judgeHook', () => {
  it.each<[string, string | undefined, ProcessInfo[] | null, HookState]>([
    ['no marker', undefined, [p(100, 'zsh')], { kind: 'none' }],
    ['an empty marker', '', [p(100, 'zsh')], { kind: 'none' }],
    ['bird run straight from the hooked shell', 'zsh:100', [p(100, 'zsh'), p(50, 'tmux: server')], { kind: 'hooked', shell: 'zsh', pid: 100 }],
    ['through npx (sh and node between)', 'bash:100', [p(300, 'sh'), p(200, 'npm exec bird'), p(100, 'bash')], { kind: 'hooked', shell: 'bash', pid: 100 }],
    ['a login shell', 'fish:100', [p(100, '-fish')], { kind: 'hooked', shell: 'fish', pid: 100 }],
    ['an unhooked bash inside the hooked zsh', 'zsh:100', [p(200, 'bash'), p(100, 'zsh')], { kind: 'nested', shell: 'zsh', pid: 100, inner: p(200, 'bash') }],
    ['the marked pid is no ancestor (a tmux server passed the environment on)', 'zsh:100', [p(300, 'zsh'), p(50, 'tmux: server')], { kind: 'inherited', shell: 'zsh', pid: 100 }],
    ['the marked pid is an ancestor that is not that shell (exec bash)', 'zsh:100', [p(100, 'bash')], { kind: 'inherited', shell: 'zsh', pid: 100 }],
    ['no /proc to check', 'bash:100', null, { kind: 'unverified', shell: 'bash', pid: 100 }],
    ['a marker no hook writes', 'csh:100', [p(100, 'csh')], { kind: 'bad-marker', value: 'csh:100' }],
    ['a marker with no pid', 'zsh', [p(100, 'zsh')], { kind: 'bad-marker', value: 'zsh' }],
  ])('%s', (_what, marker, ancestors, state) => {
    expect(judgeHook(marker, ancestors)).toEqual(state);
  });
});

describe('parseHookMarker', () => {
  it.each([
    ['zsh:1234', { shell: 'zsh', pid: 1234 }],
    ['fish:7', { shell: 'fish', pid: 7 }],
    ['zsh:0', null],
    ['zsh:12a', null],
    ['ZSH:12', null],
    [' zsh:12', null],
  ])('%j', (value, parsed) => {
    expect(parseHookMarker(value)).toEqual(parsed);
  });
});
