import type { HistoryEntry, HistoryParse } from './history-entry.ts';
import { startUsOfSeconds } from './history-time.ts';

/**
 * Reads fish's `fish_history` (already decoded to text), following fish's own reader
 * (src/history/yaml_backend.rs): each entry is a `- cmd: <command>` line followed by indented
 * `when: <epoch seconds>` and `paths:` (a list, ignored here) lines. fish escapes only `\` (as
 * `\\`) and newline (as `\n`), and both are undone in one pass, left to right, so a typed
 * backslash-n, stored as `\\n`, comes back as backslash-n and not as a newline.
 *
 * `when` is the last time the command was added (fish merges repeats); `added_when`, which newer
 * fish writes for the first time, is ignored. An entry with no readable `when` has no time, and
 * so has one whose `when` is before 1970 or after year 9999 (damage: the entry is kept).
 *
 * Unreadable, counted and skipped: a line at the top level that is not `- cmd:` (fish skips
 * those as corrupt, and so does this), a `- cmd` line with no `:`, a command holding a NUL
 * character, and a `- cmd` line cut short at the end of the file (fish reads only lines that
 * end in a newline). Blank lines, orphan indented lines and YAML markers (`---`, `...`, `%`)
 * are skipped without being counted, as fish skips them. Each is reported at its own top-level
 * line (for an entry, its `- cmd` line).
 *
 * @example
 * parseFishHistory('- cmd: echo \\\\n\n  when: 1700000000\n')
 * // { entries: [{ cmd: 'echo \\n', startUs: 1700000000000000n, durationMs: null, line: 1 }], unreadable: 0, unreadableLines: [] }
 */
export function parseFishHistory(text: string): HistoryParse {
  const lines = text.split('\n');
  // fish reads only complete lines; what follows the last newline is a write cut short.
  const tail = lines.pop()!;
  const entries: HistoryEntry[] = [];
  const unreadableLines: number[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const lineNo = ++i;
    if (line === '' || line.startsWith(' ') || line.startsWith('%') || line.startsWith('---') || line.startsWith('...')) continue;
    const head = line.startsWith('- cmd') ? keyValue(line) : null;
    let startUs: bigint | null = null;
    // The entry's fields: lines all indented by as many spaces as the first of them.
    const indent = leadingSpaces(lines[i] ?? '');
    while (head && indent > 0 && i < lines.length && leadingSpaces(lines[i]!) === indent) {
      const field = keyValue(lines[i]!.slice(indent));
      if (!field) break;
      i++;
      if (field.key === 'when') startUs = /^[+-]?\d+$/.test(field.value) ? startUsOfSeconds(BigInt(field.value)) : null;
      else if (field.key === 'paths') while (i < lines.length && leadingSpaces(lines[i]!) > indent && lines[i]!.trimStart().startsWith('- ')) i++;
    }
    if (!head || head.value.includes('\0')) unreadableLines.push(lineNo);
    else entries.push({ cmd: head.value, startUs, durationMs: null, line: lineNo });
  }
  // The cut-off line is the file's last, after all the complete ones.
  if (tail.startsWith('- cmd')) unreadableLines.push(lines.length + 1);
  return { entries, unreadable: unreadableLines.length, unreadableLines };
}

/** `key: value`, split at the first colon, both unescaped; fish trims the whitespace before the value. */
function keyValue(line: string): { key: string; value: string } | null {
  const colon = line.indexOf(':');
  if (colon < 0) return null;
  return { key: unescapeFish(line.slice(0, colon)), value: unescapeFish(line.slice(colon + 1).replace(/^[ \t\n\f\r]+/, '')) };
}

/**
 * Undoes fish's escaping in one left-to-right pass: `\\` → `\`, `\n` → newline. A backslash
 * before anything else (fish never writes one) is kept with what follows it; fish itself cuts
 * the text short there.
 */
export function unescapeFish(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\([\\n])/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
}

function leadingSpaces(line: string): number {
  let n = 0;
  while (line.charCodeAt(n) === 0x20) n++;
  return n;
}
