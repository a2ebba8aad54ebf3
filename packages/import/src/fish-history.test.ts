import { describe, expect, it } from 'vitest';
import { parseFishHistory, unescapeFish } from './fish-history.ts';
import type { HistoryEntry } from './history-entry.ts';

const at = (cmd: string, epoch: number | null, line: number): HistoryEntry => ({
  cmd,
  startUs: epoch === null ? null : BigInt(epoch) * 1_000_000n,
  durationMs: null,
  line,
});

/** An entry as fish's HistoryItem::write_to writes it. */
const item = (cmd: string, when: number, paths: string[] = []): string =>
  `- cmd: ${cmd.replaceAll('\\', '\\\\').replaceAll('\n', '\\n')}\n  when: ${when}\n` + (paths.length ? `  paths:\n${paths.map((p) => `    - ${p}\n`).join('')}` : '');

describe('parseFishHistory', () => {
  const cases: { name: string; text: string; entries: HistoryEntry[]; unreadableLines?: number[] }[] = [
    {
      name: 'reads each command with its time',
      text: item('make', 1700000000) + item('git status', 1700000005),
      entries: [at('make', 1700000000, 1), at('git status', 1700000005, 3)],
    },
    {
      name: 'skips the paths list',
      text: item('vim a.txt b.txt', 1700000000, ['a.txt', 'b.txt']) + item('ls', 1700000001),
      entries: [at('vim a.txt b.txt', 1700000000, 1), at('ls', 1700000001, 6)],
    },
    {
      name: 'a multi-line command is unescaped to its newlines',
      text: item('for f in *\n  echo $f\nend', 1700000000),
      entries: [at('for f in *\n  echo $f\nend', 1700000000, 1)],
    },
    {
      name: 'a typed backslash-n (stored \\\\n) stays backslash-n',
      text: item('echo \\n', 1) + item('printf "a\\\\nb"', 2),
      entries: [at('echo \\n', 1, 1), at('printf "a\\\\nb"', 2, 3)],
    },
    {
      name: 'a backslash before a newline survives the round trip',
      text: item('echo \\\nx', 1),
      entries: [at('echo \\\nx', 1, 1)],
    },
    {
      name: 'a colon in the command is part of it',
      text: item('echo a: b:c', 1),
      entries: [at('echo a: b:c', 1, 1)],
    },
    {
      name: 'added_when (newer fish) and unknown keys are ignored',
      text: '- cmd: ls\n  when: 1700000009\n  added_when: 1700000000\n  color: blue\n',
      entries: [at('ls', 1700000009, 1)],
    },
    {
      name: 'an entry with no when, or a when that is no number, has no time',
      text: '- cmd: ls\n- cmd: pwd\n  when: soon\n',
      entries: [at('ls', null, 1), at('pwd', null, 2)],
    },
    {
      name: 'a when before 1970 or past year 9999 is damage: the entry is kept without a time',
      text: item('echo before', 1639162832) + item('echo corrupt', 999999999999999) + item('echo past', -5) + item('echo after', 1639162851),
      entries: [at('echo before', 1639162832, 1), at('echo corrupt', null, 3), at('echo past', null, 5), at('echo after', 1639162851, 7)],
    },
    {
      name: 'YAML markers, blank lines and stray indented lines are skipped',
      text: '---\n- cmd: ls\n  when: 1\n\n    - orphan\n...\n- cmd: pwd\n  when: 2\n',
      entries: [at('ls', 1, 2), at('pwd', 2, 7)],
    },
    {
      name: 'an entry cut off at the end of the file is unreadable',
      text: item('ls', 1) + '- cmd: git comm',
      entries: [at('ls', 1, 1)],
      unreadableLines: [3],
    },
    {
      name: 'an entry whose when line was cut off is kept without a time',
      text: item('ls', 1) + '- cmd: make\n  when: 17000',
      entries: [at('ls', 1, 1), at('make', null, 3)],
    },
    {
      name: 'top-level lines that are not entries are unreadable, one each',
      text: 'garbage\n- cmd: ls\n  when: 1\n\0\0\0\n- cmd\n',
      entries: [at('ls', 1, 2)],
      unreadableLines: [1, 4, 5],
    },
    {
      name: 'a command holding a NUL is unreadable at its - cmd line, counted past paths lists and blank lines',
      text: item('vim a b', 1, ['a', 'b']) + '\n- cmd: echo a\0b\n  when: 2\n  paths:\n    - x\n' + item('ls', 3) + 'junk\n' + item('pwd', 4) + '- cmd: cut sh',
      entries: [at('vim a b', 1, 1), at('ls', 3, 11), at('pwd', 4, 14)],
      unreadableLines: [7, 13, 16],
    },
    { name: 'an empty file has no entries', text: '', entries: [] },
  ];
  it.each(cases)('$name', ({ text, entries, unreadableLines = [] }) => {
    expect(parseFishHistory(text)).toEqual({ entries, unreadable: unreadableLines.length, unreadableLines });
  });

  it('reads binary garbage without throwing', () => {
    let seed = 13;
    const text = String.fromCharCode(...Array.from({ length: 8192 }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff));
    const file = `- cmd: ls\n  when: 1\n${text}`;
    expect(() => parseFishHistory(file)).not.toThrow();
    const { entries, unreadable, unreadableLines } = parseFishHistory(file);
    expect(entries[0]).toEqual(at('ls', 1, 1));
    expect(unreadableLines).toHaveLength(unreadable);
    // In file order, each a line of the file, never the line of a readable entry.
    unreadableLines.forEach((line, i) => expect(line).toBeGreaterThan(i === 0 ? 0 : unreadableLines[i - 1]!));
    expect(unreadableLines.at(-1) ?? 0).toBeLessThanOrEqual(file.split('\n').length);
    for (const e of entries) expect(unreadableLines).not.toContain(e.line);
  });
});

describe('unescapeFish', () => {
  it.each([
    ['plain', 'plain'],
    ['a\\nb', 'a\nb'],
    ['a\\\\b', 'a\\b'],
    ['a\\\\nb', 'a\\nb'],
    ['a\\\\\\nb', 'a\\\nb'],
    ['\\\\\\\\', '\\\\'],
    ['a\\tb', 'a\\tb'],
    ['end\\', 'end\\'],
  ])('%j → %j', (stored, text) => {
    expect(unescapeFish(stored)).toBe(text);
  });
});
