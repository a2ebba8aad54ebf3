// `bird hook SHELL`: the file hooks/bird.SHELL, preceded by one line that tells it where the
// capture bundle is (a hook that is eval'ed cannot find its own location).

import { SHELLS, type ShellName } from '@bird/core';

export { SHELLS };
export type Shell = ShellName;

/** The variable the hooks read to find `bird-capture`; a value the user set wins. */
export const CAPTURE_BIN_VAR = 'BIRD_CAPTURE_BIN';

/** `it's` → `'it'\''s'`: one word for sh-like shells, whatever it holds. */
export function posixQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** fish single quotes: only `\'` and `\\` are escapes. */
export function fishQuote(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** The preset line: sets the variable unless the user already did. */
export function presetLine(shell: Shell, captureBin: string): string {
  return shell === 'fish'
    ? `set -q ${CAPTURE_BIN_VAR}; or set -g ${CAPTURE_BIN_VAR} ${fishQuote(captureBin)}`
    : `${CAPTURE_BIN_VAR}=\${${CAPTURE_BIN_VAR}:-${posixQuote(captureBin)}}`;
}

export function renderHook(shell: Shell, hookText: string, captureBin: string): string {
  return `${presetLine(shell, captureBin)}\n${hookText.endsWith('\n') ? hookText : `${hookText}\n`}`;
}
