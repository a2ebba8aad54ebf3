import { readSync } from 'node:fs';
import { BirdError } from '@bird/core';
import type { ImportFormat } from './plan-import.ts';

/** What a history file's content shows it is. */
export interface DetectedFormat {
  readonly format: ImportFormat;
  /** What gave it away, for the message that refuses another format. */
  readonly evidence: string;
}

const SQLITE_MAGIC = 'SQLite format 3\0';

/** The lines only one format writes, and how it is named to the user. */
const SIGNATURES: readonly { format: ImportFormat; line: RegExp; evidence: string }[] = [
  { format: 'zsh', line: /^: \d+:\d+;/, evidence: 'zsh extended history (`: <start>:<elapsed>;<command>` lines)' },
  { format: 'bash', line: /^#\d+$/, evidence: 'bash history with times (`#<epoch>` lines)' },
  { format: 'fish', line: /^(- cmd:|  when: )/, evidence: 'fish history (`- cmd:` / `when:` entries)' },
];
/** Below this share of the file's lines, a format's lines are chance (a command that happens to look like one). */
const CLEAR_SHARE = 0.1;

/**
 * Which history a file holds, from its content alone: an SQLite database is atuin's; otherwise
 * the format whose own lines (zsh's `: <start>:<elapsed>;`, bash's `#<epoch>`, fish's
 * `- cmd:` and `when:`) are the most, and at least a tenth of the file's non-blank lines.
 * Plain text, one command a line, is null: zsh and bash without times write it alike. Read as
 * latin1, since a zsh history is metafied bytes, not UTF-8.
 *
 * @example
 * detectHistoryFormat(Buffer.from(': 1700000000:0;ls\n'))?.format // 'zsh'
 * detectHistoryFormat(Buffer.from('ls\ncd /tmp\n'))               // null
 */
export function detectHistoryFormat(bytes: Uint8Array): DetectedFormat | null {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  if (text.startsWith(SQLITE_MAGIC)) return { format: 'atuin', evidence: 'an SQLite database (atuin\'s history.db)' };
  const counts = new SignatureCounts();
  counts.add(text.split('\n'));
  return counts.verdict();
}

/** detectHistoryFormat of the file open as `fd`, read a block at a time (a history may be larger than memory should hold). */
export function detectHistoryFormatOfFile(fd: number, blockBytes = 4 * 1024 * 1024): DetectedFormat | null {
  const block = Buffer.allocUnsafe(blockBytes);
  const counts = new SignatureCounts();
  let carry = '';
  for (let position = 0; ; ) {
    const n = readSync(fd, block, 0, blockBytes, position);
    if (position === 0 && block.subarray(0, n).toString('latin1').startsWith(SQLITE_MAGIC)) return detectHistoryFormat(block.subarray(0, n));
    position += n;
    if (n === 0) break;
    const lines = (carry + block.subarray(0, n).toString('latin1')).split('\n');
    carry = lines.pop()!;
    counts.add(lines);
  }
  counts.add([carry]);
  return counts.verdict();
}

/** How many of the lines seen are each format's own. */
class SignatureCounts {
  private readonly counts = SIGNATURES.map(() => 0);
  private lines = 0;
  add(lines: readonly string[]): void {
    for (const line of lines) {
      if (line.trim() === '') continue;
      this.lines++;
      SIGNATURES.forEach((signature, i) => {
        if (signature.line.test(line)) this.counts[i]!++;
      });
    }
  }
  verdict(): DetectedFormat | null {
    const best = this.counts.indexOf(Math.max(...this.counts));
    if (this.counts[best]! === 0 || this.counts[best]! < this.lines * CLEAR_SHARE) return null;
    const { format, evidence } = SIGNATURES[best]!;
    return { format, evidence };
  }
}

/**
 * The format `bird import` reads a file as. A named one, unless the content clearly is another
 * (then one sentence names what the file looks like and the command to run); with none named,
 * what the content shows, else `fallback()` ($SHELL's, for plain text both zsh and bash write).
 */
export function chooseImportFormat(named: ImportFormat | null, detected: DetectedFormat | null, file: string, fallback: () => ImportFormat): ImportFormat {
  if (named === null) return detected?.format ?? fallback();
  if (detected && detected.format !== named) {
    throw new BirdError(`${file} looks like ${detected.evidence}, not a ${named} history; to import it run: bird import ${detected.format} --file ${shellQuote(file)}`);
  }
  return named;
}

function shellQuote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replaceAll("'", "'\\''")}'`;
}
