import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from './history-entry.ts';
import { parseZshHistory, unmetafy } from './zsh-history.ts';

/** What zsh's metafy() does to text before it is written: NUL and 0x83–0xA2 become 0x83, byte ^ 32. */
function metafy(text: string): number[] {
  return [...new TextEncoder().encode(text)].flatMap((b) => (b === 0 || (b >= 0x83 && b <= 0xa2) ? [0x83, b ^ 32] : [b]));
}

interface Written {
  cmd: string;
  start?: number;
  elapsed?: number;
}

/** A history file as zsh's savehistfile() writes one (Src/hist.c), extended when the entries carry a start. */
function zshFile(...entries: (Written | string)[]): Uint8Array {
  const bytes: number[] = [];
  for (const e of entries.map((e) => (typeof e === 'string' ? { cmd: e } : e))) {
    if (e.start !== undefined) bytes.push(...metafy(`: ${e.start}:${e.elapsed ?? 0};`));
    else if (e.cmd.startsWith(':')) bytes.push(0x5c);
    bytes.push(...metafy(e.cmd.replaceAll('\n', '\\\n')));
    if (/\\ *$/.test(e.cmd)) bytes.push(0x20);
    bytes.push(0x0a);
  }
  return Uint8Array.from(bytes);
}

const bytesOf = (...parts: (string | number[])[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...new TextEncoder().encode(p)] : p)));

const timed = (cmd: string, start: number, seconds: number | null, line: number): HistoryEntry => ({
  cmd,
  startUs: BigInt(start) * 1_000_000n,
  durationMs: seconds === null ? null : seconds * 1000,
  line,
});
const plain = (cmd: string, line: number): HistoryEntry => ({ cmd, startUs: null, durationMs: null, line });

describe('parseZshHistory', () => {
  const cases: { name: string; file: Uint8Array; entries: HistoryEntry[]; unreadableLines?: number[] }[] = [
    {
      name: 'reads extended history: start seconds to microseconds, elapsed seconds to milliseconds, elapsed 0 to no duration',
      file: zshFile({ cmd: 'make', start: 1700000000, elapsed: 3 }, { cmd: 'ls', start: 1700000005 }),
      entries: [timed('make', 1700000000, 3, 1), timed('ls', 1700000005, null, 2)],
    },
    {
      name: 'plain history has no times',
      file: zshFile('cd /tmp', 'ls -la'),
      entries: [plain('cd /tmp', 1), plain('ls -la', 2)],
    },
    {
      name: 'a multi-line command is one entry, its newlines kept and the backslashes before them gone',
      file: zshFile({ cmd: 'for f in *; do\n  echo $f\ndone', start: 1700000000, elapsed: 1 }, { cmd: 'pwd', start: 1700000009 }),
      entries: [timed('for f in *; do\n  echo $f\ndone', 1700000000, 1, 1), timed('pwd', 1700000009, null, 4)],
    },
    {
      name: 'a command ending in a backslash does not swallow the next entry',
      file: zshFile({ cmd: 'echo a\\', start: 1 }, { cmd: 'echo b\\\\  ', start: 2 }, { cmd: 'ls', start: 3 }),
      entries: [timed('echo a\\', 1, null, 1), timed('echo b\\\\  ', 2, null, 2), timed('ls', 3, null, 3)],
    },
    {
      name: 'CJK text comes back from its metafied bytes',
      file: zshFile({ cmd: 'echo 日本語 > ファイル', start: 1700000000 }),
      entries: [timed('echo 日本語 > ファイル', 1700000000, null, 1)],
    },
    {
      name: 'a NUL metafied into the command is a real NUL',
      file: zshFile({ cmd: 'printf a\0b', start: 1 }),
      entries: [timed('printf a\0b', 1, null, 1)],
    },
    {
      name: 'a literal backslash-n stays two characters',
      file: zshFile({ cmd: 'echo \\n', start: 1 }),
      entries: [timed('echo \\n', 1, null, 1)],
    },
    {
      name: 'a plain command starting with a colon was written as \\: and reads back with its colon',
      file: zshFile(': not a header', 'true'),
      entries: [plain(': not a header', 1), plain('true', 2)],
    },
    {
      name: 'a file switched to extended history halfway reads both kinds of line',
      file: zshFile('old', { cmd: 'new', start: 1700000000, elapsed: 2 }),
      entries: [plain('old', 1), timed('new', 1700000000, 2, 2)],
    },
    {
      name: 'a last line without its newline is still read',
      file: bytesOf(': 1:0;one\n: 2:0;two'),
      entries: [timed('one', 1, null, 1), timed('two', 2, null, 2)],
    },
    {
      name: 'blank lines are skipped, and line numbers still count them',
      file: bytesOf(': 1:0;one\n\n: 2:0;two\n'),
      entries: [timed('one', 1, null, 1), timed('two', 2, null, 3)],
    },
    {
      name: 'a header torn before its command is unreadable, the entries around it are kept',
      file: bytesOf(': 1:0;one\n: 17000\n: 2:0;two\n: 3:\n: 4:0;\n'),
      entries: [timed('one', 1, null, 1), timed('two', 2, null, 3)],
      unreadableLines: [2, 4, 5],
    },
    {
      name: 'a colon line that is no header and no cut one is a plain command (zsh would have escaped it, other writers do not)',
      file: bytesOf(': x:0;one\n:  1:0;two\n: 3:0;three\n: not-extended\n: > file\n: 1613322469:no semicolon here\n: foo:bar;baz\n'),
      entries: [plain(': x:0;one', 1), plain(':  1:0;two', 2), timed('three', 3, null, 3), plain(': not-extended', 4), plain(': > file', 5), plain(': 1613322469:no semicolon here', 6), plain(': foo:bar;baz', 7)],
    },
    {
      name: 'a start before 1970 or past year 9999, or an elapsed time past 2^53 ms, is damage: the command is kept without it',
      file: bytesOf(': 999999999999999:2;far\n: 1700000000:99999999999999999999;long\n: 1700000001:1;ok\n'),
      entries: [{ cmd: 'far', startUs: null, durationMs: 2000, line: 1 }, timed('long', 1700000000, null, 2), timed('ok', 1700000001, 1, 3)],
    },
    {
      name: 'a multi-line command cut off at the end of the file is unreadable',
      file: bytesOf(': 1:0;one\n: 2:0;for f in *; do\\\n  echo\\\n'),
      entries: [timed('one', 1, null, 1)],
      unreadableLines: [2],
    },
    {
      name: 'a block of NUL bytes left by a crash is one unreadable entry',
      file: bytesOf(': 1:0;one\n', new Array(512).fill(0), '\n: 2:0;two\n'),
      entries: [timed('one', 1, null, 1), timed('two', 2, null, 3)],
      unreadableLines: [2],
    },
    {
      name: 'bytes that are not UTF-8 after unmetafying are unreadable',
      file: bytesOf(': 1:0;', [0xff, 0xfe, 0x83], '\n: 2:0;ok\n', [0xc3, 0x28], '\n'),
      entries: [timed('ok', 2, null, 2)],
      unreadableLines: [1, 3],
    },
    {
      name: 'a damaged entry is reported at its own first line, after multi-line entries and blank lines',
      file: bytesOf(': 1:0;for f in *; do\\\n  echo\\\ndone\n\n: 2:0;', [0xff], '\\\nmore\n: 17000\nplain\0nul\n: 3:0;ok\n'),
      entries: [timed('for f in *; do\n  echo\ndone', 1, null, 1), timed('ok', 3, null, 9)],
      unreadableLines: [5, 7, 8],
    },
    { name: 'an empty file has no entries', file: new Uint8Array(), entries: [] },
  ];
  it.each(cases)('$name', ({ file, entries, unreadableLines = [] }) => {
    expect(parseZshHistory(file)).toEqual({ entries, unreadable: unreadableLines.length, unreadableLines });
  });

  it('reads binary garbage without throwing', () => {
    let seed = 7;
    const garbage = Uint8Array.from({ length: 64 * 1024 }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff);
    const { entries, unreadable, unreadableLines } = parseZshHistory(garbage);
    expect(entries.length + unreadable).toBeGreaterThan(0);
    for (const e of entries) expect(typeof e.cmd).toBe('string');
    expect(unreadableLines).toHaveLength(unreadable);
    // In file order, each a line of the file, never the line of a readable entry.
    const lineCount = garbage.filter((b) => b === 0x0a).length + 1;
    unreadableLines.forEach((line, i) => expect(line).toBeGreaterThan(i === 0 ? 0 : unreadableLines[i - 1]!));
    expect(unreadableLines.at(-1) ?? 0).toBeLessThanOrEqual(lineCount);
    for (const e of entries) expect(unreadableLines).not.toContain(e.line);
  });
});

describe('unmetafy', () => {
  it.each([
    ['leaves bytes with no Meta alone', [0x61, 0xe6, 0x97], [0x61, 0xe6, 0x97]],
    ['turns Meta and a byte into the byte ^ 32', [0xe6, 0x83, 0xb7, 0xa5], [0xe6, 0x97, 0xa5]],
    ['decodes a metafied NUL', [0x83, 0x20], [0x00]],
    ['keeps a lone Meta at the end', [0x61, 0x83], [0x61, 0x83]],
  ])('%s', (_, input, output) => {
    expect([...unmetafy(Uint8Array.from(input))]).toEqual(output);
  });
});

const hasZsh = spawnSync('zsh', ['-fc', 'true']).status === 0;

describe.skipIf(!hasZsh)('a history file written by a real zsh', () => {
  const commands = ['echo 日本語 > ファイル', 'for f in *; do\n  echo "$f"\ndone', 'echo a\\', ': colon first', 'echo \\n', 'printf "x\\ny"', 'ls'];

  /** zsh saves history only when interactive; -f skips every rc file. */
  function writeWithZsh(extended: boolean): { bytes: Uint8Array; before: bigint; after: bigint } {
    const dir = mkdtempSync(join(tmpdir(), 'bird-zsh-history-'));
    try {
      const file = join(dir, 'zsh_history');
      const before = BigInt(Math.floor(Date.now() / 1000)) * 1_000_000n;
      const script = `HISTSIZE=100; SAVEHIST=100; ${extended ? 'setopt extended_history' : 'unsetopt extended_history'}; for c in "$@"; do print -rs -- "$c"; done; fc -W ${JSON.stringify(file)}`;
      const run = spawnSync('zsh', ['-f', '-i', '-c', script, 'zsh', ...commands], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' } });
      expect(run.status, run.stderr).toBe(0);
      const after = BigInt(Math.ceil(Date.now() / 1000)) * 1_000_000n;
      return { bytes: new Uint8Array(readFileSync(file)), before, after };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('writes CJK metafied, which a plain UTF-8 decode garbles', () => {
    const { bytes } = writeWithZsh(true);
    expect(bytes.includes(0x83)).toBe(true);
    expect(new TextDecoder().decode(bytes)).not.toContain('日本語');
  });

  it('reads back every command of an extended history, with its time', () => {
    const { bytes, before, after } = writeWithZsh(true);
    const { entries, unreadable, unreadableLines } = parseZshHistory(bytes);
    expect(unreadable).toBe(0);
    expect(unreadableLines).toEqual([]);
    expect(entries.map((e) => e.cmd)).toEqual(commands);
    for (const e of entries) {
      expect(e.startUs).toBeGreaterThanOrEqual(before);
      expect(e.startUs).toBeLessThanOrEqual(after);
      expect(e.durationMs).toBeNull(); // elapsed 0: under a second, or not measured
    }
    expect(entries.map((e) => e.line)).toEqual([1, 2, 5, 6, 7, 8, 9]);
  });

  it('reads back every command of a plain history, with no time', () => {
    const { entries, unreadable, unreadableLines } = parseZshHistory(writeWithZsh(false).bytes);
    expect(unreadable).toBe(0);
    expect(unreadableLines).toEqual([]);
    expect(entries).toEqual(commands.map((cmd, i) => plain(cmd, [1, 2, 5, 6, 7, 8, 9][i]!)));
  });
});
