/**
 * Text that came from data (a stored command, a name read from a lake, a teammate's host) made
 * safe to print: control characters shown as visible escapes, so that what bird prints can
 * neither drive a terminal (retitle it, clear it, write the clipboard) nor reorder what is shown.
 */
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;
/** C0 and C1 controls, DEL, and the Unicode bidi controls (embeddings, overrides, isolates, marks). */
// eslint-disable-next-line no-control-regex
const TERMINAL_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const hex = (c: string, digits: number) => c.charCodeAt(0).toString(16).padStart(digits, '0');

/** `\n`, `\t`, `\r`; `\x1b` below U+0100; `\u202e` above. */
function visibleEscape(c: string): string {
  switch (c) {
    case '\n':
      return '\\n';
    case '\t':
      return '\\t';
    case '\r':
      return '\\r';
    default:
      return c.charCodeAt(0) < 0x100 ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`;
  }
}

/**
 * Shows control characters (newlines in multi-line commands, tabs, ESC …) as visible escapes:
 * what a table needs to keep one line per row, piped or not.
 */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, visibleEscape);
}

/**
 * What a terminal may be shown of a stored value: every C0/C1 control, DEL and bidi control
 * (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C) as a visible escape (`\x1b`,
 * `\u202e`), so a stored command can neither drive the terminal nor reorder what is shown.
 */
export function escapeForTerminal(text: string): string {
  return text.replace(TERMINAL_UNSAFE, visibleEscape);
}
