import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBashHistory } from './bash-history.ts';
import type { HistoryEntry } from './history-entry.ts';

const at = (cmd: string, epoch: number, line: number): HistoryEntry => ({ cmd, startUs: BigInt(epoch) * 1_000_000n, durationMs: null, line });
const plain = (cmd: string, line: number): HistoryEntry => ({ cmd, startUs: null, durationMs: null, line });

describe('parseBashHistory', () => {
  const cases: { name: string; text: string; entries: HistoryEntry[]; unreadableLines?: number[] }[] = [
    {
      name: 'without timestamps each line is a command, in order, with no time',
      text: 'cd /tmp\nls -la\ncd /tmp\n',
      entries: [plain('cd /tmp', 1), plain('ls -la', 2), plain('cd /tmp', 3)],
    },
    {
      name: 'a #<epoch> line gives the next command its start',
      text: '#1700000000\nmake\n#1700000009\nmake test\n',
      entries: [at('make', 1700000000, 1), at('make test', 1700000009, 3)],
    },
    {
      name: 'with lithist a multi-line command after one timestamp is one command',
      text: '#1700000000\nfor f in *; do\n  echo $f\ndone\n#1700000001\nls\n',
      entries: [at('for f in *; do\n  echo $f\ndone', 1700000000, 1), at('ls', 1700000001, 5)],
    },
    {
      name: 'a blank line inside a multi-line command is kept, one after it is not',
      text: '#1700000000\ncat <<EOF\na\n\nb\nEOF\n\n#1700000001\nls\n',
      entries: [at('cat <<EOF\na\n\nb\nEOF', 1700000000, 1), at('ls', 1700000001, 8)],
    },
    {
      name: 'a # line that is not all digits is a command, not a timestamp',
      text: '#1700000000\n# a note to self\n#1700000001\n#12ab\n# 1700000002\n',
      entries: [at('# a note to self', 1700000000, 1), at('#12ab\n# 1700000002', 1700000001, 3)],
    },
    {
      name: 'a comment in a file without timestamps is a command',
      text: '# todo\nls\n',
      entries: [plain('# todo', 1), plain('ls', 2)],
    },
    {
      name: 'lines before the first timestamp (HISTTIMEFORMAT set later) have no time',
      text: 'old one\nold two\n#1700000000\nnew\n',
      entries: [plain('old one', 1), plain('old two', 2), at('new', 1700000000, 3)],
    },
    {
      name: 'blank lines in a file without timestamps are skipped',
      text: 'a\n\n\nb',
      entries: [plain('a', 1), plain('b', 4)],
    },
    {
      name: 'a timestamp with no command after it is unreadable',
      text: '#1700000000\n#1700000001\nls\n#1700000002\n',
      entries: [at('ls', 1700000001, 2)],
      unreadableLines: [1, 4],
    },
    {
      name: 'a command with NUL bytes (a zero-filled block) is unreadable, the rest is kept',
      text: '#1\nls\n#2\n\0\0\0\0\n#3\npwd\n',
      entries: [at('ls', 1, 1), at('pwd', 3, 5)],
      unreadableLines: [3],
    },
    {
      name: 'a NUL deep in a multi-line command is reported at its timestamp',
      text: '#1\nfor f in *; do\n  echo\0\ndone\n#2\n#3\nls\n\n#4\n\n',
      entries: [at('ls', 3, 6)],
      unreadableLines: [1, 5, 9],
    },
    {
      name: 'a file whose first line is no timestamp is read a line per command, as bash reads it, however it goes on',
      text: 'git reset\n#1672919006\ngit clean -dxf\ncd ../\n\0\0\n#1672919020\n#1672919021\nls\n',
      entries: [plain('git reset', 1), at('git clean -dxf', 1672919006, 2), plain('cd ../', 4), at('ls', 1672919021, 7)],
      unreadableLines: [5, 6],
    },
    {
      name: 'a timestamp before 1970 or past year 9999 is damage: its command is kept without a time',
      text: '#99999999999999\nmake\n#1700000000\nls\n#253402300800\npwd\n',
      entries: [plain('make', 1), at('ls', 1700000000, 3), plain('pwd', 5)],
    },
    {
      name: 'a # line with a sign is a comment, not a timestamp',
      text: 'cargo install atuin\n#-377705116800\ncargo update\n',
      entries: [plain('cargo install atuin', 1), plain('#-377705116800', 2), plain('cargo update', 3)],
    },
    { name: 'an empty file has no entries', text: '', entries: [] },
  ];
  it.each(cases)('$name', ({ text, entries, unreadableLines = [] }) => {
    expect(parseBashHistory(text)).toEqual({ entries, unreadable: unreadableLines.length, unreadableLines });
  });

  it('reads binary garbage without throwing', () => {
    let seed = 11;
    const text = String.fromCharCode(...Array.from({ length: 8192 }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff));
    const { entries, unreadable, unreadableLines } = parseBashHistory(text);
    expect(entries.length + unreadable).toBeGreaterThan(0);
    expect(unreadableLines).toHaveLength(unreadable);
    // In file order, each a line of the file, never the line of a readable entry.
    unreadableLines.forEach((line, i) => expect(line).toBeGreaterThan(i === 0 ? 0 : unreadableLines[i - 1]!));
    expect(unreadableLines.at(-1) ?? 0).toBeLessThanOrEqual(text.split('\n').length);
    for (const e of entries) expect(unreadableLines).not.toContain(e.line);
  });
});

describe('a history file written by a real bash with HISTTIMEFORMAT and lithist', () => {
  it('reads back each command whole, with its time', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bird-bash-history-'));
    try {
      const file = join(dir, 'bash_history');
      const commands = ['echo one', 'for f in *; do\n  echo $f\ndone', '# a comment', 'echo 日本語'];
      const before = BigInt(Math.floor(Date.now() / 1000)) * 1_000_000n;
      // history is kept only by an interactive shell; HISTFILE is unset so exiting saves nothing more.
      const script = `unset HISTFILE; HISTTIMEFORMAT=%s; shopt -s cmdhist lithist; for c in "$@"; do history -s -- "$c"; done; history -w ${JSON.stringify(file)}`;
      const run = spawnSync('bash', ['--norc', '--noprofile', '-i', '-c', script, 'bash', ...commands], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(run.status, run.stderr).toBe(0);
      const after = BigInt(Math.ceil(Date.now() / 1000)) * 1_000_000n;
      const { entries, unreadable, unreadableLines } = parseBashHistory(readFileSync(file, 'utf8'));
      expect(unreadable).toBe(0);
      expect(unreadableLines).toEqual([]);
      expect(entries.map((e) => e.cmd)).toEqual(commands);
      expect(entries.map((e) => e.line)).toEqual([1, 3, 7, 9]);
      for (const e of entries) {
        expect(e.startUs).toBeGreaterThanOrEqual(before);
        expect(e.startUs).toBeLessThanOrEqual(after);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
