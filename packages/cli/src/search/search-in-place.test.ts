// Ctrl-R over an index read in place (index-in-place.ts: the snapshot's command bytes, columns a
// chunk at a time, the journal's rows placed among them) must show exactly what it shows over the
// snapshot decoded whole and merged with the journal: the same commands, in the same order, with
// the same counts and rows, under every filter.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildIndex, decodeSnapshot, encodeSnapshot, mergeRows, openIndexInPlace, SnapshotReader, type HistoryIndex, type HistoryRow } from '@bird/history-index';
import { corpusOf, foldAscii } from './output-corpus.ts';
import { renderSearch } from './search-render.ts';
import { SCOPES, type Scope, type SearchContext } from './search-scope.ts';
import { SearchSession, type Key } from './search-session.ts';

const id = (n: number) => `0190f${String(n).padStart(3, '0')}-0000-7000-8000-${String(n).padStart(12, '0')}`;
const COMMANDS = ['git push origin main', 'git push origin b', 'Git Status', 'echo naïve Ørsted ✓', 'echo NAÏVE', 'grep 日本語 notes', 'ls -la', 'printf "a\\nb"\nsecond line', 'kubectl get pods -n test', 'cd ~/src/p'];
/** Runs of few commands many times (and some once), over many sessions, folders and hosts, this one's among them. */
const rows: HistoryRow[] = Array.from({ length: 3000 }, (_, n) => ({
  id: id(n),
  timestampUs: 1_700_000_000_000_000 + n * 1_000_000 + (n % 3 === 0 ? 0 : 1),
  durationMs: n % 7 === 0 ? null : n,
  exitCode: n % 11 === 0 ? null : n % 4 === 0 ? 1 : 0,
  cmd: n % 9 === 0 ? `${COMMANDS[n % COMMANDS.length]} ${n}` : COMMANDS[(n * 7) % COMMANDS.length]!,
  cwd: n % 13 === 0 ? '' : `/home/ana/src/p${n % 300}${n % 2 ? '/lib' : ''}`,
  session: `s${n % 400}`,
  host: ['box', 'laptop', 'ci'][n % 3]!,
  source: n % 5 === 0 ? 'team' : 'local',
}));
const context: SearchContext = { host: 'box', session: 's7', cwd: '/home/ana/src/p7/lib', workspace: '/home/ana/src/p7' };
const style = { color: false, home: '/home/ana', nowMs: 1_700_000_004_000_000 / 1000 };

const dir = mkdtempSync(join(tmpdir(), 'bird-search-in-place-'));
const file = encodeSnapshot(buildIndex(rows), 1);
writeFileSync(join(dir, 'snapshot.bhi'), file);
const reader = SnapshotReader.open(join(dir, 'snapshot.bhi'))!;
/** Journal rows among the snapshot's (pulled ones, older), after them, and copies of its rows. */
const journal: HistoryRow[] = [
  ...[5, 950, 1999, 2500].map((n) => ({ ...rows[n]!, id: id(10_000 + n), cmd: n % 2 ? 'echo pulled ✓' : rows[n]!.cmd, session: 's7', host: 'box', source: 'team' })),
  { ...rows[2999]!, id: id(20_000), timestampUs: rows[2999]!.timestampUs + 1, cmd: 'git push origin newest' },
  rows[100]!,
  rows[2999]!,
];
const inPlace = openIndexInPlace(reader, journal, { chunkRows: 100 });
const whole = mergeRows(decodeSnapshot(file).index, journal);
afterAll(() => {
  inPlace.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What some runs printed (Ctrl-Y), the journal's among them. */
const outputs = corpusOf([...rows, ...journal].filter((_, k) => k % 7 === 0).map((r, k) => [r.id, foldAscii(Buffer.from(k % 2 ? 'Error: Boom' : 'all fine'))] as const));

const keys = (text: string): Key[] => [...text].map((sequence) => ({ sequence, name: sequence }));
const ctrl = (name: string): Key => ({ name, ctrl: true });

/** What a person sees of a search after `presses`: every line drawn, and the list behind it. */
function shown(index: HistoryIndex, scope: Scope, presses: Key[]) {
  const session = new SearchSession(index, context, { rows: 30, scope, dirExists: () => true, outputs });
  const frames: string[][] = [];
  for (const key of presses) {
    session.press(key);
    frames.push(renderSearch(session, 140, 34, style));
  }
  return { frames, results: session.results.map((c) => index.commands[c]), total: session.total, rows: session.scope.rows };
}

describe('Ctrl-R over an index read in place', () => {
  const typing = ['git', 'naive', 'NAÏVE', '日本', "'push !main", 'la$', 'status', 'ørsted'];
  it.each(SCOPES.flatMap((scope) => typing.map((query) => [scope, query] as const)))('shows what the whole index shows: %s, typing %j, through every source, mode and the successful-only filter', (scope, query) => {
    // Types the query, opens the details of the first and third match (Ctrl-O), deletes the query,
    // cycles the modes, the sources and the exit filter, and types it again.
    const presses = [...keys(query), ctrl('o'), ctrl('o'), { name: 'down' }, { name: 'down' }, ctrl('o'), ctrl('o'), ...query.split('').map(() => ({ name: 'backspace' })), ctrl('s'), ...keys(query), ctrl('s'), ctrl('s'), ctrl('t'), ctrl('t'), ctrl('x'), ctrl('t'), ...keys(' '), ctrl('x')];
    const got = shown(inPlace, scope, presses);
    expect(got).toEqual(shown(whole, scope, presses));
    // Not an empty list compared with an empty one: everywhere, each query finds commands.
    if (scope === 'everywhere') expect(new SearchSession(inPlace, context, { rows: 30, query }).total).toBeGreaterThan(0);
  });

  it.each(SCOPES)('finds the same commands by what they printed (Ctrl-Y): %s', (scope) => {
    const presses = [ctrl('y'), ...keys('boom'), ctrl('x'), ctrl('t'), ctrl('t'), ctrl('x'), { name: 'backspace' }, ctrl('y')];
    const got = shown(inPlace, scope, presses);
    expect(got).toEqual(shown(whole, scope, presses));
    if (scope === 'everywhere') expect(got.frames[4]!.slice(1, -1).filter((line) => line.trim() !== '').length).toBeGreaterThan(3);
  });

  it('shows the same with an empty query under each scope, and the command chosen is the same', () => {
    for (const scope of SCOPES) {
      // Forgetting the second command (Shift-Delete, y) takes its local runs out of the list.
      const presses = [ctrl('x'), ctrl('x'), { name: 'down' }, { name: 'delete', shift: true }, { sequence: 'y' }, ctrl('t'), ctrl('o')];
      expect(shown(inPlace, scope, presses)).toEqual(shown(whole, scope, presses));
      const a = new SearchSession(inPlace, context, { rows: 10, scope });
      const b = new SearchSession(whole, context, { rows: 10, scope });
      for (const s of [a, b]) for (const key of [{ name: 'down' }, { name: 'down' }, { name: 'return' }]) s.press(key);
      expect(a.outcome).toEqual(b.outcome);
      // Ctrl-D: the folder the third command last ran in.
      const [c, d] = [inPlace, whole].map((index) => new SearchSession(index, context, { rows: 10, scope, dirExists: () => true }));
      for (const s of [c!, d!]) for (const key of [{ name: 'down' }, { name: 'down' }, ctrl('d')]) s.press(key);
      expect(c!.outcome ?? c!.notice).toEqual(d!.outcome ?? d!.notice);
    }
  });
});
