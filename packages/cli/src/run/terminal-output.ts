import { escapeForTerminal } from '@bird/core';

/** Select Graphic Rendition (colours, bold, underline): the one escape sequence output keeps on a terminal. */
// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[[0-9;:]*m/g;
// eslint-disable-next-line no-control-regex
const LINE_BREAK = /\r?\n|\t/g;

/**
 * Stored output made safe to show on a terminal: its colours kept, every other control character
 * (the start of a sequence that could retitle the window, move the cursor, write the clipboard
 * with OSC 52; a lone carriage return that would overwrite what was shown) as a visible escape;
 * line breaks and tabs stay. Bytes that are not UTF-8 show as U+FFFD. Pure.
 */
export function outputForTerminal(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return between(text, SGR, (stretch) => between(stretch, LINE_BREAK, escapeForTerminal));
}

/** `text` with each match of `pattern` kept as it is and each stretch between two matches through `change`. */
function between(text: string, pattern: RegExp, change: (stretch: string) => string): string {
  let out = '';
  let at = 0;
  for (const match of text.matchAll(pattern)) {
    out += change(text.slice(at, match.index)) + match[0];
    at = match.index + match[0].length;
  }
  return out + change(text.slice(at));
}
