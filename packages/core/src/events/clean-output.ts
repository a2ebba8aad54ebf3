/**
 * Output as parsers read it: terminal colours and other escape sequences removed, Windows line
 * endings made `\n`, and each line cut to a length no diagnostic needs (so that no pattern ever
 * runs over a megabyte-long line of minified code or a progress bar's redraws).
 */

/** CSI (`ESC [ … letter`), OSC (`ESC ] … BEL|ST`) and two-byte escapes; what `ls --color` and gcc print. */
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

export const LINE_MAX_CHARS = 2000;

export function outputLines(text: string): string[] {
  const plain = text.includes('\x1b') ? text.replace(ESCAPES, '') : text;
  // A carriage return alone redraws a line (progress bars): what is left is its last drawing.
  const lines = plain.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const cr = line.lastIndexOf('\r');
    if (cr >= 0) line = line.slice(cr + 1);
    lines[i] = line.length > LINE_MAX_CHARS ? line.slice(0, LINE_MAX_CHARS) : line;
  }
  return lines;
}
