/**
 * Output as parsers read it: terminal colours and other escape sequences removed, Windows line
 * endings made `\n`, and each line cut to a length no diagnostic needs (so that no pattern ever
 * runs over a megabyte-long line of minified code or a progress bar's redraws).
 */

/** CSI (`ESC [ … letter`), OSC (`ESC ] … BEL|ST`) and two-byte escapes; what `ls --color` and gcc print. */
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

export const LINE_MAX_CHARS = 2000;

export interface CleanOutput {
  readonly lines: string[];
  /** The lines joined: what a format's detection pattern runs over (the text itself when nothing changed). */
  readonly text: string;
}

export function cleanOutput(text: string): CleanOutput {
  const plain = text.includes('\x1b') ? text.replace(ESCAPES, '') : text;
  // A carriage return alone redraws a line (progress bars): what is left is its last drawing.
  const lines = plain.split('\n');
  // One search of the whole text for a carriage return is cheaper than one per line.
  const returns = plain.includes('\r');
  let changed = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length <= LINE_MAX_CHARS && (!returns || !line.includes('\r'))) continue;
    let kept = line.endsWith('\r') ? line.slice(0, -1) : line;
    const redraw = kept.lastIndexOf('\r');
    if (redraw >= 0) kept = kept.slice(redraw + 1);
    lines[i] = kept.length > LINE_MAX_CHARS ? kept.slice(0, LINE_MAX_CHARS) : kept;
    changed = true;
  }
  return { lines, text: changed ? lines.join('\n') : plain };
}
