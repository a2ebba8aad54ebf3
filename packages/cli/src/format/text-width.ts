// Terminal display width of a string, so that tables stay aligned with CJK text and emoji.
import { escapeForTerminal } from '@bird/core';

const ZERO_WIDTH = /[\p{Mn}\p{Me}\u200b-\u200f\u2060\ufe00-\ufe0f]/u;
const DOUBLE_WIDTH = /[\p{Emoji_Presentation}\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}]/u;

function codePointWidth(char: string): number {
  if (ZERO_WIDTH.test(char)) return 0;
  if (DOUBLE_WIDTH.test(char)) return 2;
  return 1;
}

/** Columns the string occupies in a terminal (control characters must be escaped first). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += codePointWidth(char);
  return width;
}

/** Cuts `text` to at most `max` columns, ending in `…` when something was cut. */
export function truncateToWidth(text: string, max: number): string {
  if (displayWidth(text) <= max) return text;
  if (max <= 0) return '';
  let out = '';
  let width = 0;
  for (const char of text) {
    const w = codePointWidth(char);
    if (width + w > max - 1) break;
    out += char;
    width += w;
  }
  return `${out}…`;
}

/**
 * Cuts `text` to at most `max` columns from the left, keeping its end: `…/and/on/deep`. A path
 * is cut at a `/` when one is left to cut at, so what stays is whole folder names.
 */
export function truncateStartToWidth(text: string, max: number): string {
  if (displayWidth(text) <= max) return text;
  if (max <= 0) return '';
  const chars = [...text];
  let tail = '';
  let width = 0;
  for (let i = chars.length - 1; i >= 0; i--) {
    const w = codePointWidth(chars[i]!);
    if (width + w > max - 1) break;
    tail = chars[i]! + tail;
    width += w;
  }
  const slash = tail.indexOf('/');
  return `…${slash > 0 && slash < tail.length - 1 ? tail.slice(slash) : tail}`;
}

/** What JSON.stringify leaves raw that a terminal would act on (it escapes C0 itself). */
const JSON_TERMINAL_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const hex = (c: string, digits: number) => c.charCodeAt(0).toString(16).padStart(digits, '0');

// One escaping rule for everything bird prints from data, shared with bird-sync's messages.
export { escapeForTerminal } from '@bird/core';

/**
 * The plain form of a command on one line (`bird search` piped, `bird history`'s table): C-style,
 * a backslash written `\\` and every control and bidi character as escapeForTerminal shows it,
 * so `\n` always means a newline and `\\n` a backslash and an n: the escapes read back unambiguously.
 */
export function escapePlain(text: string): string {
  return escapeForTerminal(text.replaceAll('\\', '\\\\'));
}

/** JSON text for a terminal: the same JSON (and value), with DEL, C1 and bidi controls as `\uXXXX`. */
export function escapeJsonForTerminal(json: string): string {
  return json.replace(JSON_TERMINAL_UNSAFE, (c) => `\\u${hex(c, 4)}`);
}
