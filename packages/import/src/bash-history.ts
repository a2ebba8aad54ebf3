import type { HistoryEntry, HistoryParse } from './history-entry.ts';

const TIMESTAMP = /^#(\d+)$/;

/**
 * Reads `~/.bash_history` (already decoded to text).
 *
 * With `HISTTIMEFORMAT` set, bash writes a `#<epoch seconds>` line before each command; with
 * `lithist` a multi-line command follows it as several lines. So once a file has timestamps,
 * everything from one `#<digits>` line to the next is one command, its lines joined with
 * newlines. Lines before the first timestamp (history kept before `HISTTIMEFORMAT` was set)
 * are one command each, with no time. A `#` line that is not all digits (`# note`) is a
 * command like any other: bash saves comments typed at the prompt.
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
export function parseBashHistory(text: string): HistoryParse {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const entries: HistoryEntry[] = [];
  const unreadableLines: number[] = [];
  const push = (cmd: string, startUs: bigint | null, line: number): void => {
    if (cmd.includes('\0')) unreadableLines.push(line);
    else entries.push({ cmd, startUs, durationMs: null, line });
  };
  let i = 0;
  for (; i < lines.length && !TIMESTAMP.test(lines[i]!); i++) {
    if (lines[i] !== '') push(lines[i]!, null, i + 1);
  }
  while (i < lines.length) {
    const startUs = BigInt(TIMESTAMP.exec(lines[i]!)![1]!) * 1_000_000n;
    const start = i++;
    while (i < lines.length && !TIMESTAMP.test(lines[i]!)) i++;
    const body = lines.slice(start + 1, i);
    // A trailing blank line belongs to the file's layout, not to the command.
    while (body.length > 0 && body[body.length - 1] === '') body.pop();
    if (body.length === 0) unreadableLines.push(start + 1);
    else push(body.join('\n'), startUs, start + 1);
  }
  return { entries, unreadable: unreadableLines.length, unreadableLines };
}
