// Text made into shell words: for the lines bird prints for a shell to run (`bird hook`,
// `bird setup`) and the ones the build writes (hooks/install.SHELL).
import type { ShellName } from '@bird/core';

/** `it's` → `'it'\''s'`: one word for sh-like shells, whatever it holds. */
export function posixQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** fish single quotes: only `\'` and `\\` are escapes. */
export function fishQuote(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** One assignment of a global variable in `shell`, whatever the value holds (also inside a function). */
export function globalAssignment(shell: ShellName, name: string, value: string): string {
  if (shell === 'fish') return `set -g ${name} ${fishQuote(value)}`;
  return shell === 'zsh' ? `typeset -g ${name}=${posixQuote(value)}` : `${name}=${posixQuote(value)}`;
}

/** Characters a word may hold and still be typed bare in sh, bash, zsh and fish. */
const BARE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** argv as a person would type it: `sh -c 'printf out'`; a word is quoted only when it must be. */
export function commandLine(argv: readonly string[]): string {
  return argv.map((word) => (BARE_WORD.test(word) ? word : posixQuote(word))).join(' ');
}
