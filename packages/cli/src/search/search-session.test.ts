import { describe, expect, it } from 'vitest';
import { buildIndex, type HistoryRow } from '@bird/history-index';
import { replayTypeahead, SearchSession, type Key } from './search-session.ts';
import type { SearchContext } from './search-scope.ts';

const T = 1_764_000_000_000_000;
let n = 0;
const row = (cmd: string, over: Partial<HistoryRow> = {}): HistoryRow => {
  n++;
  return { id: `0190f${String(n).padStart(3, '0')}-0000-7000-8000-000000000000`, timestampUs: T + n * 1_000_000, durationMs: 5, exitCode: 0, cmd, cwd: '/home/ana/src/app', session: 'me', host: 'box', source: 'local', ...over };
};

// Oldest first: the last row is the most recent command.
const index = buildIndex([
  row('git status', { cwd: '/home/ana' }),
  row('make test', { exitCode: 2, session: 'other' }),
  row('git push origin main', { host: 'laptop', session: 'other' }),
  row('kubectl get pods', { source: 'team', host: 'ci', session: 'theirs', cwd: '/srv' }),
  row('git status', { cwd: '/home/ana/src/app/lib' }),
  row('npm test', { cwd: '/home/ana/src/app' }),
]);
const context: SearchContext = { host: 'box', session: 'me', cwd: '/home/ana/src/app', workspace: '/home/ana/src' };
/** Folders on "this machine": all but the teammate's /srv. */
const dirExists = (dir: string) => dir !== '/srv';
const start = (query = '') => new SearchSession(index, context, { query, rows: 10, dirExists });
const shown = (s: SearchSession) => s.results.map((c) => index.commands[c]);
const press = (s: SearchSession, ...keys: (Key | string)[]) => {
  for (const k of keys) s.press(typeof k === 'string' ? { sequence: k, name: k.length === 1 ? k : undefined } : k);
  return s;
};
const ctrl = (name: string): Key => ({ name, ctrl: true });

describe('SearchSession', () => {
  it('starts with every distinct command, most recent first, duplicates collapsed', () => {
    const s = start();
    expect(shown(s)).toEqual(['npm test', 'git status', 'kubectl get pods', 'git push origin main', 'make test']);
    expect(s.scope.count[index.commands.indexOf('git status')]).toBe(2);
  });

  it('starts from the query the shell line held', () => {
    expect(shown(start('git'))).toEqual(['git status', 'git push origin main']);
  });

  it.each([
    ['Enter puts the selected command on the line', [{ name: 'return' }], { kind: 'accept', cmd: 'git status' }],
    ['Tab does the same, for editing', [{ name: 'tab' }], { kind: 'edit', cmd: 'git status' }],
    ['Down then Enter takes the next one', [{ name: 'down' }, { name: 'return' }], { kind: 'accept', cmd: 'git push origin main' }],
    ['Esc leaves', [{ name: 'escape' }], { kind: 'cancel' }],
    ['Ctrl-G leaves', [ctrl('g')], { kind: 'cancel' }],
    ['Ctrl-C leaves', [ctrl('c')], { kind: 'cancel' }],
    ['Ctrl-D goes to the directory of the latest run', [ctrl('d')], { kind: 'cd', dir: '/home/ana/src/app/lib' }],
  ])('%s', (_name, keys, outcome) => {
    expect(press(start('git'), ...(keys as Key[])).outcome).toEqual(outcome);
  });

  it('Ctrl-D on a row whose folder is not on this machine stays in the search and says so until the next key', () => {
    const s = press(start('kubectl'), ctrl('d'));
    expect(s.outcome).toBeNull();
    expect(s.notice).toEqual({ kind: 'missing-folder', dir: '/srv' });
    press(s, { name: 'down' });
    expect(s.notice).toBeNull();
    // From the inspector too.
    press(s, ctrl('o'), ctrl('d'));
    expect([s.outcome, s.notice]).toEqual([null, { kind: 'missing-folder', dir: '/srv' }]);
  });

  it('Ctrl-D on a row whose folder is not known says so', () => {
    const s = press(new SearchSession(buildIndex([row('ls', { cwd: '' })]), context, { rows: 10, dirExists }), ctrl('d'));
    expect([s.outcome, s.notice]).toEqual([null, { kind: 'unknown-folder' }]);
  });

  it('Enter with nothing matching keeps the typed text', () => {
    expect(press(start('zzz'), { name: 'return' }).outcome).toEqual({ kind: 'accept', cmd: 'zzz' });
  });

  it('edits the query like a line editor', () => {
    const s = press(start(), 'g', 'i', 't', ' ', 'p');
    expect(s.query).toBe('git p');
    expect(shown(s)).toEqual(['git push origin main']);
    press(s, { name: 'backspace' }, { name: 'backspace' });
    expect([s.query, shown(s)]).toEqual(['git', ['git status', 'git push origin main']]);
    press(s, ctrl('a'), 'x');
    expect([s.query, s.cursor]).toEqual(['xgit', 1]);
    press(s, ctrl('e'), ' st', ctrl('w'));
    expect(s.query).toBe('xgit ');
    press(s, ctrl('u'));
    expect(s.query).toBe('');
  });

  it('does not type control characters or escape sequences', () => {
    const s = press(start('a'), { sequence: '\x1b[15~' }, { sequence: '\x01' });
    expect(s.query).toBe('a');
  });

  it.each([
    [1, 'host', ['npm test', 'git status', 'make test']],
    [2, 'session', ['npm test', 'git status']],
    [3, 'directory', ['npm test', 'git push origin main', 'make test']],
    [4, 'workspace', ['npm test', 'git status', 'git push origin main', 'make test']],
    [5, 'everywhere', ['npm test', 'git status', 'kubectl get pods', 'git push origin main', 'make test']],
  ])('Ctrl-R ×%i filters to %s', (times, scope, commands) => {
    const s = start();
    for (let i = 0; i < times; i++) s.press(ctrl('r'));
    expect(s.filter.scope).toBe(scope);
    expect(shown(s)).toEqual(commands);
  });

  it('a command counts only its runs in scope', () => {
    const s = press(start(), ctrl('r'), ctrl('r'), ctrl('r')); // this directory
    expect(s.scope.count[index.commands.indexOf('git status')]).toBe(0);
  });

  it('Ctrl-T cycles the source: all, local, then each remote', () => {
    const s = start();
    expect(s.sources).toEqual([null, 'local', 'team']);
    press(s, ctrl('t'));
    expect(shown(s)).not.toContain('kubectl get pods');
    press(s, ctrl('t'));
    expect(shown(s)).toEqual(['kubectl get pods']);
    press(s, ctrl('t'));
    expect(s.filter.source).toBeNull();
  });

  it('Ctrl-X keeps only successful runs', () => {
    const s = press(start(), ctrl('x'));
    expect(shown(s)).not.toContain('make test');
    expect(press(s, ctrl('x')).filter.onlySuccessful).toBe(false);
  });

  it('Ctrl-S cycles fuzzy → prefix → fulltext, and the results follow', () => {
    const s = start('gsts');
    expect([s.mode, shown(s)]).toEqual(['fuzzy', ['git status']]);
    press(s, ctrl('s'));
    expect([s.mode, shown(s)]).toEqual(['prefix', []]);
    press(s, ctrl('u'), 'git', ctrl('s'));
    expect(s.mode).toBe('fulltext');
    press(s, ctrl('u'), 'test');
    expect(shown(s)).toEqual(['npm test', 'make test']);
    press(s, ctrl('s'));
    expect(s.mode).toBe('fuzzy');
  });

  it('ranks an exact or prefix match above a more recent fuzzy one', () => {
    // "npm test" is the most recent, but "make test" starts with the query.
    expect(shown(start('make'))).toEqual(['make test']);
    expect(shown(start('test'))).toEqual(['npm test', 'make test']);
    // Both only fuzzy-match: the more recent goes first.
    expect(shown(start('mt'))).toEqual(['npm test', 'make test']);
  });

  it('Ctrl-O inspects the selected command; Esc goes back; Enter still takes it', () => {
    const s = press(start('git st'), ctrl('o'));
    expect(s.inspecting).toMatchObject({ cmd: 'git status', runs: 2, meanDurationMs: 5, exits: [{ code: 0, runs: 2 }], before: ['git status'], after: ['npm test'] });
    press(s, { name: 'escape' });
    expect([s.inspecting, s.outcome]).toEqual([null, null]);
    press(s, ctrl('o'), { name: 'return' });
    expect(s.outcome).toEqual({ kind: 'accept', cmd: 'git status' });
  });

  it('moves within the results and scrolls', () => {
    const s = new SearchSession(index, context, { rows: 2 });
    press(s, { name: 'down' }, { name: 'down' }, { name: 'down' });
    expect([s.selected, s.offset]).toEqual([3, 2]);
    press(s, { name: 'up' }, { name: 'up' }, { name: 'up' }, { name: 'up' });
    expect([s.selected, s.offset]).toEqual([0, 0]);
    press(s, { name: 'pagedown' }, { name: 'pagedown' }, { name: 'pagedown' });
    expect(s.selected).toBe(4);
    press(s, ctrl('p'), ctrl('p'));
    expect(s.selected).toBe(2);
    press(s, ctrl('n'));
    expect(s.selected).toBe(3);
  });
});

describe('replayTypeahead', () => {
  it.each([
    ['nothing', [], { text: '', run: false }],
    ['text', [{ sequence: ' -x' }, { sequence: 'y' }], { text: ' -xy', run: false }],
    ['text, then Enter: run it', [{ sequence: ' -x' }, { name: 'return', sequence: '\r' }], { text: ' -x', run: true }],
    ['keys after that Enter are left out', [{ name: 'return', sequence: '\r' }, { sequence: 'ls' }], { text: '', run: true }],
    ['an editing key stops the replay', [{ sequence: 'a' }, { name: 'u', ctrl: true, sequence: '\x15' }, { sequence: 'b' }], { text: 'a', run: false }],
    ['an escape sequence stops it too', [{ sequence: 'a' }, { name: 'up', sequence: '\x1b[A' }], { text: 'a', run: false }],
  ])('%s', (_name, keys, result) => {
    expect(replayTypeahead(keys as Key[])).toEqual(result);
  });
});
