import { describe, expect, it } from 'vitest';
import { buildIndex, type HistoryRow } from '@bird/history-index';
import { commandDetails, frecency, frecencyOrder, rescopeCommand, SCOPES, scopeCommands, type ScopedCommands, type SearchContext, type SearchFilter } from './search-scope.ts';

const T = 1_764_000_000_000_000;
let n = 0;
const row = (cmd: string, over: Partial<HistoryRow> = {}): HistoryRow => {
  n++;
  return { id: `0190f${String(n).padStart(3, '0')}-0000-7000-8000-000000000000`, timestampUs: T + n * 3_600_000_000, durationMs: 5, exitCode: 0, cmd, cwd: '/home/ana/src/app', session: 'me', host: 'box', source: 'local', ...over };
};
// Runs spread over hosts, sessions, folders, sources and exit codes, some commands many times.
const index = buildIndex([
  row('git status', { cwd: '/home/ana' }),
  row('make test', { exitCode: 2, session: 'other' }),
  row('git status'),
  row('git push', { host: 'laptop', session: 'other' }),
  row('make test', { source: 'team', host: 'ci', session: 'theirs', cwd: '/srv' }),
  row('git status', { exitCode: 1, cwd: '/home/ana/src/app/lib' }),
  row('npm test'),
  row('make test'),
  row('ls', { source: 'team', host: 'ci', session: 'theirs' }),
  row('git status', { host: 'laptop' }),
  row('npm test', { exitCode: 1, session: 'other' }),
  row('ls'),
]);
const context: SearchContext = { host: 'box', session: 'me', cwd: '/home/ana/src/app', workspace: '/home/ana/src' };
const plain = (s: ScopedCommands) => ({ count: [...s.count], lastRow: [...s.lastRow], byRecency: [...s.byRecency], byFrecency: [...s.byFrecency], rows: s.rows });
const filters: SearchFilter[] = SCOPES.flatMap((scope) => [null, 'local', 'team'].flatMap((source) => [false, true].map((onlySuccessful) => ({ scope, source, onlySuccessful }))));

describe('rescopeCommand', () => {
  it.each(index.commands.map((cmd, c) => [cmd, c] as const))('gives what scopeCommands gives, with the local runs of %s hidden and then shown again, under every filter', (_cmd, c) => {
    const hidden = new Uint8Array(index.size);
    for (let r = 0; r < index.size; r++) if (index.cmd[r] === c && index.sources[index.source[r]!] === 'local') hidden[r] = 1;
    for (const filter of filters) {
      const before = scopeCommands(index, filter, context);
      const hiding = rescopeCommand(index, before, c, filter, context, hidden);
      expect(plain(hiding), JSON.stringify(filter)).toEqual(plain(scopeCommands(index, filter, context, hidden)));
      const none = new Uint8Array(index.size);
      expect(plain(rescopeCommand(index, hiding, c, filter, context, none)), JSON.stringify(filter)).toEqual(plain(before));
    }
  });

  it('hides the rows from the counts and the orders whatever else the filter keeps', () => {
    const hidden = new Uint8Array(index.size);
    const status = index.commands.indexOf('git status');
    for (let r = 0; r < index.size; r++) if (index.cmd[r] === status) hidden[r] = 1;
    const scoped = scopeCommands(index, filters[0]!, context, hidden);
    expect([scoped.count[status], scoped.lastRow[status], [...scoped.byRecency].includes(status), scoped.rows]).toEqual([0, -1, false, 8]);
  });
});

describe('frecencyOrder', () => {
  /** Commands 0..n-1, their latest runs at distinct rows (some at the same start), counts from `counts`. */
  const cases: [string, number, number[]][] = [
    ['one count', 50, [1]],
    ['a few counts', 200, [1, 2, 3, 64]],
    ['many counts, ties of start', 300, Array.from({ length: 40 }, (_, k) => k * 3 + 1)],
    ['one command', 1, [5]],
    ['none', 0, [1]],
  ];
  it.each(cases)('orders as sorting by frecency, then latest run, would: %s', (_name, n, counts) => {
    const count = Uint32Array.from({ length: n }, (_, c) => counts[(c * 7) % counts.length]!);
    const lastRow = Int32Array.from({ length: n }, (_, c) => (c * 37) % (n + 1));
    // Starts follow rows (the index's order); every third pair of rows shares a start.
    const lastUs = Float64Array.from(lastRow, (r) => T + Math.floor(r / 2) * 3_600_000_000);
    const byRecency = Uint32Array.from({ length: n }, (_, c) => c).sort((a, b) => lastRow[b]! - lastRow[a]!);
    const sorted = Uint32Array.from(byRecency).sort((a, b) => frecency(lastUs[b]!, count[b]!) - frecency(lastUs[a]!, count[a]!) || lastRow[b]! - lastRow[a]!);
    expect([...frecencyOrder(byRecency, count, lastRow, lastUs)]).toEqual([...sorted]);
  });
});

describe('commandDetails', () => {
  it('gives the three runs of its session nearest before and after the latest, skipping other sessions and hidden rows', () => {
    const runs = buildIndex([
      row('a1'), row('b', { session: 'other' }), row('a2'), row('a3'), row('a4'), row('a5'),
      row('pick', { durationMs: 7, exitCode: 3 }), row('b', { session: 'other' }), row('a6'), row('a7'), row('a8'), row('a9'),
      row('pick', { session: 'other', durationMs: 9, exitCode: 0 }),
    ]);
    const pick = runs.commands.indexOf('pick');
    const hidden = new Uint8Array(runs.size);
    hidden[4] = 1; // a4
    const scoped = scopeCommands(runs, { scope: 'session', source: null, onlySuccessful: false }, { ...context, session: 'me' }, hidden);
    expect(commandDetails(runs, pick, scoped, hidden)).toMatchObject({ runs: 2, before: ['a2', 'a3', 'a5'], after: ['a6', 'a7', 'a8'], row: 6, durationMs: 7, exitCode: 3, meanDurationMs: 8, session: 'me', exits: [{ code: 0, runs: 1 }, { code: 3, runs: 1 }] });
  });
});
