import { describe, expect, it } from 'vitest';
import { planForget, type ForgetRequest, type StoredCommand } from './plan-forget.ts';

const c = (id: string, cmd: string, startUs: number, source = 'local'): StoredCommand => ({ id, cmd, startUs, source, clientId: source === 'local' ? 'me@here' : 'bob@b' });
const STORED = [
  c('a', 'export TOKEN=abc123', 10),
  c('b', 'ls -la', 20),
  c('c', 'mysql -p hunter2', 30),
  c('d', 'export TOKEN=zzz', 40, 'team'),
  c('e', '  export TOKEN=late  ', 50),
];
const ids = (xs: readonly StoredCommand[]) => xs.map((x) => x.id);

describe('planForget', () => {
  it.each<[string, ForgetRequest, string[], string[], string[]]>([
    ['ids named: exactly those', { ids: ['b', 'c'] }, ['b', 'c'], [], []],
    ['an id stored nowhere here is named, not guessed at', { ids: ['b', 'zz'] }, ['b'], [], ['zz']],
    ["a teammate's command is theirs to forget", { ids: ['a', 'd'] }, ['a'], ['d'], []],
    ['a glob over the whole command, trimmed, as [capture] ignore', { match: 'export TOKEN=*' }, ['a', 'e'], ['d'], []],
    ['--since keeps the later ones', { match: 'export *', sinceUs: 40 }, ['e'], ['d'], []],
    ['--before keeps the earlier ones (before, not at)', { match: '*', beforeUs: 30 }, ['a', 'b'], [], []],
    ['nothing matched', { match: 'rm -rf *' }, [], [], []],
    ['an id named twice is forgotten once', { ids: ['c', 'c'] }, ['c'], [], []],
  ])('%s', (_, request, forget, teammates, unknown) => {
    const plan = planForget(STORED, request);
    expect([ids(plan.forget), ids(plan.teammates), plan.unknown]).toEqual([forget, teammates, unknown]);
  });
});
