import type { HistoryEntry, HistoryParse } from './history-entry.ts';
import { startUsOfSeconds } from './history-time.ts';

const TIMESTAMP = /^#(\d+)$/;

/**
 * Reads `~/.bash_history` (already decoded to text), as bash's own reader does
 * (`read_history_range` in lib/readline/histfile.c).
 *
 * With `HISTTIMEFORMAT` set, bash writes a `#<epoch seconds>` line before each command; with
 * `lithist` a multi-line command follows it as several lines. bash joins those lines again only
 * when the file's first line is a timestamp: then everything from one `#<digits>` line to the
 * next is one command, its lines joined with newlines. Otherwise every line is a command of its
 * own, and a `#<digits>` line gives its time to the line after it only: a file kept without
 * `HISTTIMEFORMAT` that gained one later reads as bash reads it, its old lines without times.
 * A `#` line that is not all digits (`# note`, `#-5`) is a command like any other: bash saves
 * comments typed at the prompt. A time before 1970 or after year 9999 is damage: that command
 * is kept, without a time.
 *
 * Unreadable, counted and skipped: a timestamp with no command after it (two in a row, or one
 * at the end of a torn file), and a command holding a NUL character (bash cannot have typed
 * one: it is damage, such as the zero-filled block a crash leaves). Blank lines outside a
 * timestamped command are skipped, as bash skips them. Each is reported at the line where its
 * entry starts: a timestamped command's `#<epoch>` line, even when the NUL is in a line below.
 *
 * @example
 * parseBashHistory('#1700000000\nfor f in *; do\n  echo $f\ndone\n')
 * // { entries: [{ cmd: 'for f in *; do\n  echo $f\ndone', startUs: 1700000000000000n, durationMs: null, line: 1 }], unreadable: 0, unreadableLines: [] }
 */
export function parseBashHistory(text: string, options: { multiline?: boolean } = {}): HistoryParse {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const entries: HistoryEntry[] = [];
  const unreadableLines: number[] = [];
  const push = (cmd: string, startUs: bigint | null, line: number): void => {
    if (cmd.includes('\0')) unreadableLines.push(line);
    else entries.push({ cmd, startUs, durationMs: null, line });
  };
  const stampAt = (i: number): bigint | null | undefined => {
    const stamp = TIMESTAMP.exec(lines[i]!);
    return stamp ? startUsOfSeconds(BigInt(stamp[1]!)) : undefined;
  };
  // A part of a file (history-chunks.ts) is told what the file's first line said.
  const multiline = options.multiline ?? (lines.length > 0 && stampAt(0) !== undefined);
  let i = 0;
  while (i < lines.length) {
    const startUs = stampAt(i);
    if (startUs === undefined) {
      if (lines[i] !== '') push(lines[i]!, null, i + 1);
      i++;
      continue;
    }
    const start = i++;
    let end = i;
    if (multiline) while (end < lines.length && stampAt(end) === undefined) end++;
    else if (end < lines.length && lines[end] !== '' && stampAt(end) === undefined) end++;
    const body = lines.slice(start + 1, end);
    // A trailing blank line belongs to the file's layout, not to the command.
    while (body.length > 0 && body[body.length - 1] === '') body.pop();
    if (body.length === 0) unreadableLines.push(start + 1);
    else push(body.join('\n'), startUs, start + 1);
    i = end;
  }
  return { entries, unreadable: unreadableLines.length, unreadableLines };
}
