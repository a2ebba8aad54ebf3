import { describe, expect, it } from 'vitest';
import { REDACTED } from '@bird/core';
import type { AtuinHistoryEntry, HistoryEntry } from './history-entry.ts';
import { LIVE_MATCH_US, importIdOf, occurrence, planImport, repeatKeyOf, type ImportContext, type ImportFormat, type ImportSource } from './plan-import.ts';

const S = 1_000_000n; // µs per second
const T0 = 1_700_000_000n * S;
const entry = (cmd: string, startUs: bigint | null, line: number, durationMs: number | null = null): HistoryEntry => ({ cmd, startUs, durationMs, line });
const source: ImportSource = { format: 'zsh', path: '/home/u/.zsh_history', mtimeUs: T0 + 100n * S };
const context = (over: Partial<ImportContext> = {}): ImportContext => ({
  clientId: 'u@h',
  hostname: 'h',
  env: {},
  rules: { ignore: [] },
  known: new Set(),
  knownSessions: new Set(),
  captured: [],
  firstCapturedUs: null,
  ...over,
});

describe('planImport', () => {
  it('maps an entry to a row: what the format knows, null for what it does not, a session naming the file', () => {
    const plan = planImport([entry('git status', T0, 1, 3000)], source, context());
    expect(plan.invocations).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        session_id: 'import:zsh:/home/u/.zsh_history',
        timestamp: T0,
        duration_ms: 3000,
        cwd: null,
        cmd: 'git status',
        executable: 'git',
        exit_code: null,
        client_id: 'u@h',
        hostname: 'h',
        shell: 'zsh',
        date: '2023-11-14',
      },
    ]);
    expect(plan.sessions).toEqual([{ session_id: 'import:zsh:/home/u/.zsh_history', client_id: 'u@h', invoker: 'zsh', invoker_pid: null, registered_at: T0, cwd: null, date: '2023-11-14' }]);
    expect(plan).toMatchObject({ read: 1, duplicates: 0, private: 0 });
  });

  it('gives the same ids to the same entries however the file around them grew or was trimmed', () => {
    const old = [entry('a', T0, 1), entry('b', T0 + S, 2), entry('b', T0 + S, 3)];
    const grown = [entry('zero', T0 - S, 1), ...old.map((e) => ({ ...e, line: e.line + 1 })), entry('c', T0 + 2n * S, 5)];
    const ids = (es: HistoryEntry[]) => new Map(planImport(es, source, context()).invocations.map((r) => [`${r.cmd}@${r.timestamp}#${r.id}`, r.id]));
    const before = [...ids(old).values()];
    const after = [...ids(grown).values()];
    expect(new Set(before).size).toBe(3); // the same command at the same second, twice, is two rows
    for (const id of before) expect(after).toContain(id);
    const trimmed = old.slice(1).map((e) => ({ ...e, line: e.line - 1 }));
    for (const id of ids(trimmed).values()) expect(before).toContain(id);
  });

  it.each<[string, Partial<ImportContext>, readonly bigint[] | undefined, number]>([
    ['no stored ids, nothing captured', {}, undefined, 1],
    ['captured live 1 s later, same command', {}, [T0 + S], 0],
    ['captured live exactly at the limit', {}, [T0 - LIVE_MATCH_US], 0],
    ['captured live 3 s away: another run of it', {}, [T0 + 3n * S], 1],
  ])('skips what the store holds: %s', (_, over, capturedAt, imported) => {
    const captured = (capturedAt ?? []).map((startUs) => ({ cmd: 'make test', startUs, sessionId: 'live' }));
    const plan = planImport([entry('make test', T0, 1)], source, context({ ...over, captured }));
    expect(plan.invocations.length).toBe(imported);
    expect(plan.duplicates).toBe(1 - imported);
  });

  it('skips ids imported before, and writes no second session row for a file imported before', () => {
    const first = planImport([entry('a', T0, 1)], source, context());
    const again = planImport([entry('a', T0, 1), entry('b', T0 + S, 2)], source, context({ known: new Set([first.invocations[0]!.id]), knownSessions: new Set([first.sessions[0]!.session_id]) }));
    expect(again.invocations.map((r) => r.cmd)).toEqual(['b']);
    expect(again.sessions).toEqual([]);
    expect(again.duplicates).toBe(1);
  });

  it('runs the capture privacy rules: leading space and ignore patterns leave out, secrets are redacted', () => {
    const plan = planImport(
      [entry(' echo private', T0, 1), entry('vault login abc', T0 + S, 2), entry('mysql -u root -phunter2', T0 + 2n * S, 3), entry('ls', T0 + 3n * S, 4)],
      source,
      context({ rules: { ignore: ['vault *'] }, env: { BIRD_DISABLED: '1' } }), // the importer's own BIRD_DISABLED does not apply to old commands
    );
    expect(plan.invocations.map((r) => r.cmd)).toEqual([`mysql -u root -p${REDACTED}`, 'ls']);
    expect(plan.private).toBe(2);
  });

  it('a history without times keeps its order, just before the file was last written', () => {
    const plan = planImport([entry('first', null, 1), entry('second', null, 2), entry('third', null, 3)], source, context());
    expect(plan.invocations.map((r) => [r.cmd, r.timestamp])).toEqual([
      ['first', source.mtimeUs - 3n],
      ['second', source.mtimeUs - 2n],
      ['third', source.mtimeUs - 1n],
    ]);
    // A later import of the grown file (a new mtime) gives the old entries the same ids.
    const later = planImport([entry('first', null, 1), entry('second', null, 2), entry('third', null, 3), entry('fourth', null, 4)], { ...source, mtimeUs: source.mtimeUs + 60n * S }, context());
    expect(later.invocations.slice(0, 3).map((r) => r.id)).toEqual(plan.invocations.map((r) => r.id));
  });

  it('commands of one second keep the file\'s order, a microsecond apart; a clock that went back is left as it is', () => {
    const plan = planImport([entry('one', T0, 1), entry('two', T0, 2), entry('three', T0, 3), entry('later', T0 + S, 4), entry('earlier', T0 - 10n * S, 5)], source, context());
    expect(plan.invocations.map((r) => [r.cmd, r.timestamp])).toEqual([
      ['one', T0],
      ['two', T0 + 1n],
      ['three', T0 + 2n],
      ['later', T0 + S],
      ['earlier', T0 - 10n * S],
    ]);
  });

  it('an entry without a time goes before the timed ones after it, so the file\'s order holds strictly', () => {
    // bash lines from before HISTTIMEFORMAT, and a fish entry whose `when` was corrupt.
    const plan = planImport([entry('git reset', null, 1), entry('git clean -dxf', T0, 2), entry('cd ../', null, 4), entry('ls', T0 + S, 5)], source, context());
    expect(plan.invocations.map((r) => [r.cmd, r.timestamp])).toEqual([
      ['git reset', T0 - 1n],
      ['git clean -dxf', T0],
      ['cd ../', T0 + S - 1n],
      ['ls', T0 + S],
    ]);
  });

  describe('a history without times, after the hook stored some of it (bash with no HISTTIMEFORMAT)', () => {
    const bash: ImportSource = { format: 'bash', path: '/home/u/.bash_history', mtimeUs: T0 + 100n * S };
    const live = (cmd: string, second: bigint, sessionId = 'live-1') => ({ cmd, startUs: T0 + second * S, sessionId });
    const untimed = (...cmds: string[]) => cmds.map((cmd, i) => entry(cmd, null, i + 1));

    it('skips each command the hook stored, imports the older history before the first of them', () => {
      const captured = [live('ls', 10n), live('make', 11n), live('git status', 12n)];
      const plan = planImport(untimed('ls', 'vim notes', 'ls', 'make', 'git status'), bash, context({ captured, firstCapturedUs: T0 + 10n * S }));
      expect(plan.invocations.map((r) => [r.cmd, r.timestamp])).toEqual([
        ['ls', T0 + 10n * S - 5n],
        ['vim notes', T0 + 10n * S - 4n],
      ]);
      expect(plan.duplicates).toBe(3);
    });

    it('imports all of it, before the first stored command, when the hook stored none of its lines', () => {
      const plan = planImport(untimed('a', 'b'), bash, context({ captured: [live('other', 50n)], firstCapturedUs: T0 + 50n * S }));
      expect(plan.invocations.map((r) => [r.cmd, r.timestamp])).toEqual([
        ['a', T0 + 50n * S - 2n],
        ['b', T0 + 50n * S - 1n],
      ]);
    });

    it('compares the stored (redacted) text, and leaves private lines and ids imported before out of the match', () => {
      const first = planImport(untimed('make'), bash, context());
      const captured = [live(`mysql -p${REDACTED}`, 10n), live('make', 11n)];
      const plan = planImport(untimed('make', ' echo private', 'mysql -phunter2'), bash, context({ captured, firstCapturedUs: T0 + 10n * S, known: new Set([first.invocations[0]!.id]) }));
      // `make` was imported before: it takes no stored row, which stays free for a later line.
      expect(plan).toMatchObject({ invocations: [], duplicates: 2, private: 1 });
    });

    it('a timed entry accounts for its own stored row, which no untimed line can take again', () => {
      const plan = planImport([entry('ls', null, 1), entry('ls', T0 + 10n * S, 2)], bash, context({ captured: [live('ls', 10n)], firstCapturedUs: T0 + 10n * S }));
      expect(plan.invocations.map((r) => [r.cmd, r.timestamp])).toEqual([['ls', T0 + 10n * S - 1n]]);
      expect(plan.duplicates).toBe(1);
    });
  });

  it('atuin: its own id names the entry, and cwd, exit code, host and session are kept', () => {
    const atuin = (atuinId: string, cmd: string): AtuinHistoryEntry => ({ ...entry(cmd, T0, 1, 12), atuinId, cwd: '/src', exitCode: 2, hostname: 'laptop', user: 'u', session: 's1' });
    const plan = planImport([atuin('01a', 'make'), atuin('01b', 'make')], { format: 'atuin', path: '/h/history.db', mtimeUs: T0 }, context());
    expect(plan.invocations.map((r) => [r.cmd, r.cwd, r.exit_code, r.hostname, r.shell, r.session_id])).toEqual([
      ['make', '/src', 2, 'laptop', null, 'import:atuin:/h/history.db#s1'],
      ['make', '/src', 2, 'laptop', null, 'import:atuin:/h/history.db#s1'],
    ]);
    expect(new Set(plan.invocations.map((r) => r.id)).size).toBe(2);
    const again = planImport([atuin('01b', 'make')], { format: 'atuin', path: '/h/history.db', mtimeUs: T0 }, context());
    expect(again.invocations[0]!.id).toBe(plan.invocations[1]!.id);
  });
});

describe('importIdOf', () => {
  // The ids earlier imports stored (computed by the code before 2026-12-07's import speed-up): a
  // re-import finds an entry stored by them only if its id comes out the same, so these must never change.
  const atuin: AtuinHistoryEntry = { cmd: 'cargo build', startUs: 1_650_000_000_123_456n, durationMs: 10, line: 1, atuinId: '018f0000aaaa7bbb8cccdddddddddddd', cwd: '/', exitCode: 0, hostname: 'h', user: 'u', session: 's' };
  const twice = entry('git pull', 1_600_000_000n * S, 4);
  const repeats = new Map<string, number>();
  it.each<[string, HistoryEntry, string | null, ImportFormat, string]>([
    ['a timed zsh entry', entry('make test', T0, 1, 3000), null, 'zsh', '018bcfe5-6800-7b8c-a40b-bde482092210'],
    ['multibyte text', entry('echo 日本語 🐦', T0 + 60n * S, 2), null, 'zsh', '018bcfe6-5260-7004-a236-f5615687b5e2'],
    ['an entry without a time', entry('ls', null, 3), null, 'zsh', '00000000-0000-7c55-b350-9c6d6a7f7b36'],
    ['the first of a repeated key', twice, 'count', 'bash', '0174876e-8000-729b-b8ad-b6509a65c773'],
    ['its second', twice, 'count', 'bash', '0174876e-8000-7672-a6a8-df5cf425f67d'],
    ['an atuin row', atuin, '', 'atuin', '01802ba9-f47b-7615-bca9-64386099245a'],
  ])('%s keeps the id it was stored with', (_, e, repeat, format, id) => {
    const key = repeat === null ? occurrence(null, repeatKeyOf(e)) : repeat === 'count' ? occurrence(repeats, repeatKeyOf(e)) : repeat;
    expect(importIdOf(e, key, 'me@host', format)).toBe(id);
  });
});
