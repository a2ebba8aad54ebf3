import { describe, expect, it } from 'vitest';
import { buildIndex, idText, type HistoryRow } from '@bird/history-index';
import { corpusOf, foldAscii } from './output-corpus.ts';
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

  it("Ctrl-O asks once for the inspected run's stored output, shows it only for that run; any other key goes back untyped", () => {
    const s = press(start('git st'), ctrl('o'));
    const id = s.inspecting!.id;
    expect(s.inspecting).toMatchObject({ host: 'box', session: 'me', source: 'local', cwd: '/home/ana/src/app/lib' });
    expect([s.takeStoredAsk(), s.takeStoredAsk()]).toEqual([id, null]);
    s.storedDone('someone-else', { kind: 'failed', why: 'x' });
    expect(s.stored).toEqual({ kind: 'reading' });
    s.storedDone(id, { kind: 'read', details: { streams: [], events: [] } });
    expect(s.stored).toMatchObject({ kind: 'read' });
    press(s, 'x');
    expect([s.inspecting, s.query, s.outcome]).toEqual([null, 'git st', null]);
  });

  it('Ctrl-Y looks for the query in what commands printed, once that is read; in scope, most recent first', () => {
    const s = press(start(), ctrl('y'));
    expect([s.outputSearch, shown(s), s.takeOutputsAsk(), s.takeOutputsAsk()]).toEqual([true, [], true, false]);
    const idOf = (cmd: string) => idText(index.ids, index.cmd.findLastIndex((c) => index.commands[c] === cmd));
    s.outputsDone(corpusOf([[idOf('make test'), foldAscii(Buffer.from('Error: Boom\n'))], [idOf('npm test'), foldAscii(Buffer.from('ok, no boom here'))]]));
    expect(shown(s)).toEqual(['npm test', 'make test']);
    press(s, ...'ERROR');
    expect(shown(s)).toEqual(['make test']);
    press(s, ctrl('r'), ctrl('r'), ctrl('r'));
    // this directory: make test ran in /home/ana/src/app, so it stays
    expect(shown(s)).toEqual(['make test']);
    press(s, ctrl('y'));
    expect([s.outputSearch, shown(s)]).toEqual([false, []]);
  });

  it("with a project store found, Ctrl-T offers its commands last, read when chosen, the query kept", () => {
    const s = new SearchSession(index, context, { query: 'deploy', rows: 10, dirExists, projectStore: true });
    expect(s.sources).toEqual([null, 'local', 'team', 'project']);
    press(s, ctrl('t'), ctrl('t'));
    expect([s.awaitingProject, s.takeProjectAsk()]).toEqual([false, false]);
    press(s, ctrl('t'));
    expect([s.filter.source, s.awaitingProject, s.takeProjectAsk(), s.takeProjectAsk()]).toEqual(['project', true, true, false]);
    const next = s.withRows([row('make deploy', { source: 'project', session: 'ci' })]);
    expect([next.filter.source, next.query, next.awaitingProject, next.sources.filter((x) => x === 'project').length]).toEqual(['project', 'deploy', false, 1]);
    expect(next.results.map((c) => next.index.commands[c])).toEqual(['make deploy']);
    // A command forgotten before the project's rows came stays out of the list.
    const s2 = new SearchSession(index, context, { rows: 10, dirExists, projectStore: true });
    press(s2, ...'npm', { name: 'delete', shift: true }, 'y', ctrl('u'));
    const merged = s2.withRows([row('make deploy', { source: 'project', session: 'ci' })]);
    expect(merged.results.map((c) => merged.index.commands[c])).toEqual(['make deploy', 'git status', 'kubectl get pods', 'git push origin main', 'make test']);
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

describe('SearchSession: Shift-Delete forgets the selected command after a y', () => {
  // "make test" is this machine's twice, and a teammate's once; "kubectl get pods" only theirs.
  const mixed = buildIndex([
    row('make test', { exitCode: 2 }),
    row('git status'),
    row('make test', { source: 'team', host: 'ci', session: 'theirs' }),
    row('kubectl get pods', { source: 'team', host: 'ci', session: 'theirs' }),
    row('make test'),
    row('npm test'),
  ]);
  const FORGET: Key = { name: 'delete', shift: true, sequence: '\x1b[3;2~' };
  const begin = (query: string) => new SearchSession(mixed, context, { query, rows: 10, dirExists });
  const list = (s: SearchSession) => s.results.map((c) => mixed.commands[c]);

  it.each<[string, string, (Key | string)[], { shown: string[]; query?: string; asking?: { cmd: string; runs: number; theirs: number } | null; notice?: string | null; forgets?: string[] }]>([
    ['asks first, and forgets nothing yet', 'test', [{ name: 'down' }, FORGET], { shown: ['make test', 'npm test'], asking: { cmd: 'npm test', runs: 1, theirs: 0 }, forgets: [] }],
    ['y: gone from the list, the query kept, the forget handed on', 'test', [{ name: 'down' }, FORGET, 'y'], { shown: ['make test'], query: 'test', asking: null, notice: 'forgetting', forgets: ['npm test'] }],
    ['Y does the same', 'npm', [FORGET, 'Y'], { shown: [], forgets: ['npm test'] }],
    ['n lets it go: the list as it was, and the n not typed', 'test', [FORGET, 'n'], { shown: ['make test', 'npm test'], query: 'test', asking: null, notice: null, forgets: [] }],
    ['any other key lets it go too, and does nothing else', 'test', [FORGET, { name: 'down' }], { shown: ['make test', 'npm test'], asking: null, forgets: [] }],
    ['Esc lets it go without leaving the search', 'test', [FORGET, { name: 'escape' }], { shown: ['make test', 'npm test'], asking: null, forgets: [] }],
    ['Enter lets it go without taking the command', 'test', [FORGET, { name: 'return' }], { shown: ['make test', 'npm test'], asking: null, forgets: [] }],
    ["a teammate's command: they alone can forget it; nothing is asked", 'kubectl', [FORGET], { shown: ['kubectl get pods'], asking: null, notice: 'not-yours', forgets: [] }],
    ["...and a y after it is typed, not taken as a yes", 'kubectl', [FORGET, 'y'], { shown: [], query: 'kubectly', forgets: [] }],
    ["run here and by a teammate: only this machine's runs, the teammate's stays listed", 'make', [FORGET], { shown: ['make test'], asking: { cmd: 'make test', runs: 2, theirs: 1 } }],
    ["...and after the y the teammate's run is what the list shows", 'make', [FORGET, 'y'], { shown: ['make test'], forgets: ['make test'] }],
    ['from the inspector too: it closes, the command gone', 'npm', [ctrl('o'), FORGET, 'y'], { shown: [], forgets: ['npm test'] }],
    ['Delete without Shift still deletes a character of the query', 'npm', [{ name: 'home' }, { name: 'delete', sequence: '\x1b[3~' }], { shown: ['npm test'], query: 'pm', forgets: [] }],
    ['with nothing listed, the key does nothing', 'zzz', [FORGET, 'y'], { shown: [], query: 'zzzy', asking: null, forgets: [] }],
  ])('%s', (_name, query, keys, want) => {
    const s = press(begin(query), ...keys);
    expect(list(s)).toEqual(want.shown);
    if (want.query !== undefined) expect(s.query).toBe(want.query);
    if (want.asking !== undefined) expect(s.confirming === null ? null : { cmd: s.confirming.cmd, runs: s.confirming.runs, theirs: s.confirming.theirs }).toEqual(want.asking);
    if (want.notice !== undefined) expect(s.notice?.kind ?? null).toBe(want.notice);
    if (want.forgets !== undefined) expect(s.takeForgets().map((r) => r.cmd)).toEqual(want.forgets);
  });

  it("counts a teammate's run as theirs, and this machine's runs of it are gone everywhere", () => {
    const s = press(begin('make'), FORGET, 'y');
    const c = s.index.commands.indexOf('make test');
    expect(s.scope.count[c]).toBe(1);
    expect(s.index.sources[s.index.source[s.scope.lastRow[c]!]!]).toBe('team');
    // Every filter agrees: this host had both of its runs.
    press(s, ctrl('r'));
    expect(list(s)).toEqual([]);
  });

  it('when it is done the status line says so; when it fails the command is back and the reason is said', () => {
    const s = press(begin('npm'), FORGET, 'y');
    const [request] = s.takeForgets();
    s.forgetDone(request!, { forgot: 1, theirs: 0 });
    expect(s.notice).toEqual({ kind: 'forgot', cmd: 'npm test', runs: 1, theirs: 0 });
    const t = press(begin('test'), { name: 'down' }, FORGET, 'y');
    const [failing] = t.takeForgets();
    t.forgetFailed(failing!, 'the store is busy');
    expect(list(t)).toEqual(['make test', 'npm test']);
    expect(t.notice).toEqual({ kind: 'forget-failed', cmd: 'npm test', why: 'the store is busy' });
  });

  it('two forgets, the first failing: only its command comes back', () => {
    const s = press(begin('test'), { name: 'down' }, FORGET, 'y', FORGET, 'y');
    const [first, second] = s.takeForgets();
    expect([first!.cmd, second!.cmd]).toEqual(['npm test', 'make test']);
    s.forgetFailed(first!, 'no room');
    // "make test" is down to the teammate's one run, so ranks below.
    expect(list(s)).toEqual(['npm test', 'make test']);
    expect(s.scope.count[s.index.commands.indexOf('make test')]).toBe(1); // the teammate's, still
  });

  it('the highlight stays on its line when the row under it goes', () => {
    const s = press(begin(''), { name: 'down' }, FORGET, 'y');
    // "make test" stays (a teammate's run of it, older), and moves down the list.
    expect([list(s), s.selected]).toEqual([['npm test', 'kubectl get pods', 'make test', 'git status'], 1]);
    expect(s.index.commands[s.current!]).toBe('kubectl get pods');
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
