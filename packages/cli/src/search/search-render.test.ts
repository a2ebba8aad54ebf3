import { describe, expect, it } from 'vitest';
import { buildIndex, type HistoryIndex, type HistoryRow } from '@bird/history-index';
import { displayWidth } from '../format/text-width.ts';
import { renderSearch } from './search-render.ts';
import { SearchSession } from './search-session.ts';

const NOW = 1_764_000_000_000;
const row = (i: number, cmd: string, over: Partial<HistoryRow> = {}): HistoryRow => ({
  id: `0190f${String(i).padStart(3, '0')}-0000-7000-8000-000000000000`, timestampUs: (NOW - (10 - i) * 60_000) * 1000, durationMs: 1250, exitCode: 0, cmd, cwd: '/home/ana/src/app', session: 's', host: 'box', source: 'local', ...over,
});
const index = buildIndex([
  row(1, 'make test', { exitCode: 2 }),
  row(2, 'kubectl get pods', { source: 'team' }),
  row(3, 'echo 日本語 and a very long tail '.repeat(8)),
  row(4, 'printf "a\\nb"\nsecond line'),
  row(5, 'make test', { exitCode: 0 }),
]);
const ctx = { host: 'box', session: 's', cwd: '/home/ana', workspace: null };
const strip = (line: string) => line.replace(/\x1b\[[0-9;]*m/g, '');
const style = { color: false, home: '/home/ana', nowMs: NOW };

describe('renderSearch', () => {
  it.each([40, 80, 120])('fills exactly the height and never exceeds %i columns', (width) => {
    const lines = renderSearch(new SearchSession(index, ctx, { rows: 8 }), width, 10, { ...style, color: true });
    expect(lines).toHaveLength(10);
    for (const line of lines) expect(displayWidth(strip(line))).toBeLessThanOrEqual(width);
  });

  it('shows the query, each row with when, exit, duration, directory, count and source, and the modes', () => {
    const lines = renderSearch(new SearchSession(index, ctx, { query: 'make', rows: 8 }), 100, 6, style);
    expect(lines[0]).toBe('> make');
    expect(lines[1]).toMatch(/^▌ +5m +0 +1\.2s +~\/src\/app +make test +×2$/);
    expect(lines.at(-1)).toMatch(/^\[fuzzy\] \[everywhere\] \[all sources\] 1\/1 /);
    const team = renderSearch(new SearchSession(index, ctx, { query: 'kubectl', rows: 8 }), 100, 6, style);
    expect(team[1]).toMatch(/kubectl get pods +@team$/);
  });

  it('drawn from the newest rows only, leaves out what it cannot know yet: counts and the total', () => {
    const lines = renderSearch(new SearchSession(index, ctx, { rows: 8, partial: true }), 100, 7, style);
    expect(lines.slice(1, 5).map((l) => l.trimEnd())).toEqual(expect.arrayContaining([expect.stringMatching(/ make test$/), expect.stringMatching(/kubectl get pods +@team$/)]));
    expect(lines.at(-1)).toMatch(/^\[fuzzy\] \[everywhere\] \[all sources\] 1\/… /);
    const whole = renderSearch(new SearchSession(index, ctx, { rows: 8 }), 100, 7, style);
    expect(whole.some((l) => / make test +×2$/.test(l))).toBe(true);
    expect(whole.at(-1)).toMatch(/ 1\/4 /);
  });

  it('cuts a long folder from the left, as bird history does: its end tells folders apart', () => {
    const deep = buildIndex([row(1, 'make deploy', { cwd: '/home/ana/work/clients/acme/platform/services/billing' })]);
    const lines = renderSearch(new SearchSession(deep, ctx, { rows: 4 }), 100, 4, style);
    expect(lines[1]).toMatch(/ …\/services\/billing +make deploy$/);
  });

  it('says on the status line why Ctrl-D did nothing, until the next key', () => {
    const s = new SearchSession(index, ctx, { query: 'kubectl', rows: 8, dirExists: () => false });
    s.press({ name: 'd', ctrl: true });
    expect(renderSearch(s, 120, 6, style).at(-1)).toBe("[fuzzy] [everywhere] [all sources] 1/1  ^D: no folder ~/src/app here (imported or a teammate's row)");
    s.press({ name: 'end' });
    expect(renderSearch(s, 120, 6, style).at(-1)).toMatch(/1\/1 {2}\^R filter/);
  });

  it.each<[string, Partial<HistoryRow>]>([
    ['the command', { cmd: 'echo \x1b]52;c;ZXZpbA==\x07 \x9b2J \u202eevil' }],
    ['the folder', { cmd: 'ls', cwd: '/tmp/\x1b]0;title\x07\u202e' }],
    ['the source', { cmd: 'ls', source: 'te\x1b[2Jam\u009b' }],
  ])('lets no control or bidi character of %s through, in the list or the inspector', (_name, over) => {
    const s = new SearchSession(buildIndex([row(1, 'before'), row(2, 'x', over), row(3, 'after')]), ctx, { query: over.cmd!.slice(0, 2), rows: 8 });
    const unsafe = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
    expect(renderSearch(s, 200, 6, style).join('')).not.toMatch(unsafe);
    s.press({ name: 'o', ctrl: true });
    expect(renderSearch(s, 200, 8, style).join('')).not.toMatch(unsafe);
  });

  it('escapes a newline inside a command rather than breaking the frame', () => {
    const lines = renderSearch(new SearchSession(index, ctx, { query: 'printf', rows: 8 }), 100, 6, style);
    expect(lines[1]).toContain('printf "a\\nb"\\nsecond line');
    expect(lines.every((l) => !l.includes('\n'))).toBe(true);
  });

  it('colours only when asked: a failure in red', () => {
    const s = new SearchSession(buildIndex([row(1, 'false', { exitCode: 1 })]), ctx, { rows: 4 });
    expect(renderSearch(s, 80, 4, { ...style, color: true })[1]).toContain('\x1b[31m  1\x1b[0m');
    expect(renderSearch(s, 80, 4, style).join('')).not.toContain('\x1b[');
  });

  it('says so when nothing matches, and when the store is empty', () => {
    expect(renderSearch(new SearchSession(index, ctx, { query: 'zzzz', rows: 4 }), 80, 4, style)[1]).toBe('  (no match)');
    expect(renderSearch(new SearchSession(buildIndex([]), ctx, { rows: 4 }), 80, 4, style)[1]).toBe('  (no commands here yet)');
  });

  const shared = buildIndex([row(1, 'make test'), row(2, 'make test'), row(3, 'make test', { source: 'team' })]);
  it.each<[string, HistoryIndex, string, number, string | RegExp]>([
    ['the question takes the whole status line', index, 'make', 120, 'forget make test (2 runs)? y/N'],
    ['one run: no count', index, '^echo 日本語', 120, /^forget echo 日本語 and a very long tail .*…\? y\/N$/],
    ["a teammate's run of it stays, and it says so", shared, 'make', 120, "forget make test (your 2 runs; a teammate's stay)? y/N"],
    ['a long command is cut, the question never', index, '^echo 日本語', 40, /^forget echo 日本語 and a very .*…\? y\/N$/],
    ['a newline in the command is shown escaped', index, 'printf', 120, 'forget printf "a\\nb"\\nsecond line? y/N'],
  ])('Shift-Delete asks on the status line: %s', (_name, from, query, width, want) => {
    const s = new SearchSession(from, ctx, { query, rows: 8 });
    s.press({ name: 'delete', shift: true });
    const status = renderSearch(s, width, 6, style).at(-1)!;
    if (typeof want === 'string') expect(status).toBe(want);
    else expect(status).toMatch(want);
    expect(displayWidth(status)).toBeLessThanOrEqual(width);
  });

  it("says a teammate's command is theirs to forget, then how a forget went", () => {
    const s = new SearchSession(index, ctx, { query: 'kubectl', rows: 8 });
    s.press({ name: 'delete', shift: true });
    expect(renderSearch(s, 120, 6, style).at(-1)).toBe("[fuzzy] [everywhere] [all sources] 1/1  a teammate's command (pulled from team): only they can forget it");
    const t = new SearchSession(index, ctx, { query: 'printf', rows: 8 });
    t.press({ name: 'delete', shift: true });
    t.press({ sequence: 'y' });
    expect(renderSearch(t, 120, 6, style).slice(1, 2)).toEqual(['  (no match)']);
    expect(renderSearch(t, 120, 6, style).at(-1)).toMatch(/ 0\/0 {2}forgetting printf "a\\nb"\\nsecond line…$/);
    const [request] = t.takeForgets();
    t.forgetFailed(request!, 'a compaction held the store for over a minute; nothing was removed yet: run it again in a moment.');
    expect(renderSearch(t, 200, 6, style).at(-1)).toMatch(/ 1\/1 {2}could not forget printf "a\\nb"\\nsecond line: a compaction held the store/);
  });

  it('shows the inspector in place of the list', () => {
    const s = new SearchSession(index, ctx, { query: 'make', rows: 8 });
    s.press({ name: 'o', ctrl: true });
    const text = renderSearch(s, 120, 9, style).join('\n');
    expect(text).toContain('runs 2 · mean 1.2s · exit codes 0: 1  2: 1');
    expect(text).toMatch(/before: kubectl get pods  ⟩  echo 日本語/);
    expect(text).toContain('after:  —');
    expect(text).toContain('Esc back');
  });

  it("shows the inspected run's events and its output's last lines in the room left, colours only when asked, none wider than the screen", () => {
    const inspect = () => {
      const s = new SearchSession(index, ctx, { query: 'make', rows: 8 });
      s.press({ name: 'o', ctrl: true });
      const id = s.takeStoredAsk()!;
      const red = '\x1b[31m' + 'x'.repeat(60) + '\x1b[0m';
      s.storedDone(id, { kind: 'read', details: { streams: [{ stream: 'stdout', lines: ['one', 'two', red, 'the last line'] }], events: ['/src/a.c:1:2: error: boom'] } });
      return s;
    };
    const plain = renderSearch(inspect(), 40, 14, style);
    expect(plain.slice(7, 13)).toEqual(['  ── events (1) ──', '  /src/a.c:1:2: error: boom', '  ── stdout ──', '  two', `  ${'x'.repeat(37)}…`, '  the last line']);
    const coloured = renderSearch(inspect(), 40, 14, { ...style, color: true });
    expect(coloured[11]).toBe(`  \x1b[31m${'x'.repeat(37)}…\x1b[0m`);
    const reading = new SearchSession(index, ctx, { query: 'make', rows: 8 });
    reading.press({ name: 'o', ctrl: true });
    reading.takeStoredAsk();
    expect(renderSearch(reading, 40, 14, style)[7]).toBe('  (reading its output…)');
  });
});
