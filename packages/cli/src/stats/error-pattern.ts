// What makes two error messages "the same error" for `bird stats`: the words the tool wrote,
// with what differs from one occurrence to the next masked (names in quotes, numbers, paths), so
// that "'x' undeclared" and "'y' undeclared" count as one error and not as two of one each.

/** Longest pattern kept: a message longer than this is one that its first words name well enough. */
const MAX_LENGTH = 200;

/** Quoted text: '…', "…", `…`, ‘…’, “…” and «…», on one line, short of a sentence. */
const QUOTED = /'[^'\n]{1,120}'|"[^"\n]{1,120}"|`[^`\n]{1,120}`|‘[^’\n]{1,120}’|“[^”\n]{1,120}”|«[^»\n]{1,120}»/g;
/** A path: something with a slash in it and no spaces (`src/a.ts`, `/usr/include/x.h`, `./b`, `C:\x\y`), with its `:line:col`. */
const PATH = /(?:[A-Za-z]:)?(?:[~.]{0,2}[\\/])?[\w.@+~-]+(?:[\\/][\w.@+~-]+)+(?::\d+)*/g;
/** Numbers, hex and decimal, that are not part of a word (`TS2304`, `E501` and `utf8` stay). */
const NUMBER = /(?<![\w.])(?:0x[0-9a-fA-F]+|\d+(?:\.\d+)?)(?![\w])/g;

/**
 * The message with its particulars masked: quoted text as `'…'` (its quote kept), paths as
 * `<path>`, numbers as `<n>`, runs of spaces as one. The same for every occurrence of one error.
 *
 * @example
 * errorPattern("‘count’ undeclared (first use in this function)") // "‘…’ undeclared (first use in this function)"
 * errorPattern('expected 3 arguments, got 2') // 'expected <n> arguments, got <n>'
 */
export function errorPattern(message: string): string {
  const masked = message
    .replace(QUOTED, (q) => `${q[0]}…${q.at(-1)}`)
    .replace(PATH, '<path>')
    .replace(NUMBER, '<n>')
    .replace(/\s+/g, ' ')
    .trim();
  return masked.length > MAX_LENGTH ? `${masked.slice(0, MAX_LENGTH - 1)}…` : masked;
}
