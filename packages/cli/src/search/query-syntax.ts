import type { SearchMode } from './search-choices.ts';
import { ACCENT_SENSITIVE, CASE_SENSITIVE, foldFor, variantOf, type FoldVariant } from './text-fold.ts';

/**
 * What the user types into the Ctrl-R search box, parsed into terms. The three search modes
 * share one model, so the matcher, its ranking and its narrowing cache need no mode switch:
 * `prefix` is one prefix term, `fulltext` is one exact term per word, and `fuzzy` follows
 * fzf's extended-search syntax:
 *
 * | token            | meaning                                   |
 * |------------------|-------------------------------------------|
 * | `word`           | fuzzy: the letters in order, gaps allowed |
 * | `'word`          | exact substring                           |
 * | `^word`          | the command starts with it                |
 * | `word$`          | the command ends with it                  |
 * | `^word$`         | the command is exactly it                 |
 * | `!word`          | must not contain it (exact)               |
 * | `!^word` `!word$`| must not start / end with it              |
 * | `!'word`         | must not contain it as a subsequence      |
 * | `a \| b`         | a or b                                    |
 * | `a\ b`           | one term with a literal space             |
 *
 * Smart case: a term is case-sensitive exactly when it has an uppercase letter; likewise it
 * tells accents apart exactly when it has an accented letter (`naive` finds `naïve`), as fzf does.
 *
 * @example
 * parseQuery("kubectl get pods !test", 'fuzzy') // 3 fuzzy terms and one negated exact term
 */

export { SEARCH_MODES, type SearchMode } from './search-choices.ts';

export type TermKind = 'fuzzy' | 'exact' | 'prefix' | 'suffix' | 'equal';

export interface Term {
  readonly kind: TermKind;
  readonly negated: boolean;
  /**
   * The text to look for, syntax removed. It is never empty. A case-insensitive term's text has
   * no uppercase letter by definition (nor an accent-insensitive one an accented letter), so it
   * can be compared as is with the command folded as {@link foldVariant} says.
   */
  readonly text: string;
  readonly caseSensitive: boolean;
  readonly accentSensitive: boolean;
}

/** Which copy of a command a term is compared with (see text-fold.ts). */
export function foldVariant(term: Term): FoldVariant {
  return ((term.caseSensitive ? CASE_SENSITIVE : 0) | (term.accentSensitive ? ACCENT_SENSITIVE : 0)) as FoldVariant;
}

/** Every group must match (AND); a group matches when any of its terms does (OR). */
export type Query = readonly (readonly Term[])[];

/** Parses `input` as typed in `mode`. A query with no groups matches every command. */
export function parseQuery(input: string, mode: SearchMode): Query {
  switch (mode) {
    case 'prefix':
      // Literal, spaces included: "git " must not match "gitk".
      return input === '' ? [] : [[term('prefix', false, input)]];
    case 'fulltext':
      return input.split(/\s+/).filter((word) => word !== '').map((word) => [term('exact', false, word)]);
    case 'fuzzy':
      return parseExtended(input);
  }
}

function parseExtended(input: string): Query {
  const groups: Term[][] = [];
  let group: Term[] | undefined;
  let afterBar = false;
  // An escaped space must survive the split; a tab cannot be typed into the search box.
  for (const token of input.replaceAll('\\ ', '\t').split(/ +/)) {
    if (token === '') continue;
    // A bar right after a term joins it with the next; a bar anywhere else is a literal "|",
    // and a trailing one (while the user is still typing "a | b") adds nothing.
    if (token === '|' && group !== undefined && !afterBar) {
      afterBar = true;
      continue;
    }
    let text = token.replaceAll('\t', ' ');
    let kind: TermKind = 'fuzzy';
    let negated = false;
    if (text.startsWith('!')) {
      // fzf: a negated term is exact unless quoted, since "no subsequence" excludes too much.
      negated = true;
      kind = 'exact';
      text = text.slice(1);
    }
    if (text !== '$' && text.endsWith('$')) {
      kind = 'suffix';
      text = text.slice(0, -1);
    }
    if (text.startsWith("'")) {
      // The quote flips exactness, as in fzf: exact for a plain term, fuzzy for a negated one.
      // Unlike fzf, "'word$" stays a suffix term: dropping the "$" the user typed would surprise.
      kind = kind === 'suffix' ? 'suffix' : negated ? 'fuzzy' : 'exact';
      text = text.slice(1);
    } else if (text.startsWith('^')) {
      kind = kind === 'suffix' ? 'equal' : 'prefix';
      text = text.slice(1);
    }
    // "!", "^", "'" alone are a term still being typed: they constrain nothing yet.
    if (text === '') continue;
    const parsed = term(kind, negated, text);
    if (group !== undefined && afterBar) group.push(parsed);
    else groups.push((group = [parsed]));
    afterBar = false;
  }
  return groups;
}

function term(kind: TermKind, negated: boolean, text: string): Term {
  const variant = variantOf(text);
  return { kind, negated, text, caseSensitive: (variant & CASE_SENSITIVE) !== 0, accentSensitive: (variant & ACCENT_SENSITIVE) !== 0 };
}

/**
 * True when every command that `next` matches is also matched by `prev`, so the matcher may
 * re-test only `prev`'s matches. Sound but not complete: false only costs a full scan.
 * Deciding it from the parsed terms, not from `next.startsWith(prev)`, matters: "!te" matches
 * more commands than "!t", "a | b" more than "a |", and "git\ p" is not a narrowing of "git\".
 */
export function narrows(next: Query, prev: Query): boolean {
  return prev.every((old) => next.some((group) => group.every((t) => old.some((o) => implies(t, o)))));
}

/** True when every command matched by term `a` is matched by term `b`. */
export function implies(a: Term, b: Term): boolean {
  if (a.negated !== b.negated) return false;
  // Not containing a longer text follows from not containing a shorter one, not the reverse.
  if (a.negated) return implies({ ...b, negated: false }, { ...a, negated: false });
  // A case-insensitive match does not imply a case-sensitive one, nor one that ignores accents
  // one that tells them apart. Otherwise `b` folds away what `a` folds and more, so a's text
  // folded as b's commands are still occurs where a's does.
  if ((b.caseSensitive && !a.caseSensitive) || (b.accentSensitive && !a.accentSensitive)) return false;
  const text = foldFor(foldVariant(b))(a.text);
  switch (b.kind) {
    case 'fuzzy':
      return isSubsequence(b.text, text);
    case 'exact':
      return a.kind !== 'fuzzy' && text.includes(b.text);
    case 'prefix':
      return (a.kind === 'prefix' || a.kind === 'equal') && text.startsWith(b.text);
    case 'suffix':
      return (a.kind === 'suffix' || a.kind === 'equal') && text.endsWith(b.text);
    case 'equal':
      return a.kind === 'equal' && text === b.text;
  }
}

/** True when the characters of `needle` occur in `hay` in order, gaps allowed. */
export function isSubsequence(needle: string, hay: string): boolean {
  let at = 0;
  for (let k = 0; k < needle.length; k++) {
    at = hay.indexOf(needle[k]!, at);
    if (at < 0) return false;
    at++;
  }
  return true;
}
