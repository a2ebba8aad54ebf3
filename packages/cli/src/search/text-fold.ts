/**
 * Smart case and accent folding, as fzf users expect: a query with no uppercase letter ignores
 * case, and a query with no accented letter ignores accents (`naive` finds `naïve`, `NAÏVE`
 * only itself). Every fold keeps each character's length, so a position found in a folded
 * copy is the same position in the original (the search highlights what matched).
 *
 * @example
 * const fold = foldForQuery('naive'); // neither uppercase nor accents: fold both
 * fold('echo NAÏVE').includes('naive'); // true
 */

/** Which differences a query keeps: bit 1 case, bit 2 accents; 0 ignores both, 3 compares as is. */
export type FoldVariant = 0 | 1 | 2 | 3;
export const CASE_SENSITIVE = 1;
export const ACCENT_SENSITIVE = 2;

/**
 * Latin letters Unicode does not decompose into a base letter and a mark, folded as fzf folds
 * them; a letter whose decomposition is a base letter and marks (é, Å, ñ, ǘ) needs no entry.
 */
const UNDECOMPOSED: Record<string, string> = { ø: 'o', Ø: 'O', đ: 'd', Đ: 'D', ł: 'l', Ł: 'L', ħ: 'h', Ħ: 'H', ŧ: 't', Ŧ: 'T', ı: 'i' };
const LATIN_BASE = /^[A-Za-z]\p{M}+$/u;
const NON_ASCII = /[\u0080-\uffff]/;

/** Per UTF-16 unit, its base letter's code plus one (0: not worked out yet), filled as letters are met. */
const bases = new Uint16Array(0x10000);
function baseOf(c: number): number {
  let base = bases[c]!;
  if (base === 0) {
    const letter = String.fromCharCode(c);
    const decomposed = letter.normalize('NFD');
    base = bases[c] = (LATIN_BASE.test(decomposed) ? decomposed : (UNDECOMPOSED[letter] ?? letter)).charCodeAt(0) + 1;
  }
  return base - 1;
}

/**
 * Whether unit `c` may fold: every letter that does lies in Latin-1, Latin Extended-A and -B,
 * Latin Extended Additional or is the Ångström sign (text-fold.test.ts checks all of Unicode).
 */
const mayFold = (c: number) => c >= 0xc0 && (c <= 0x24f || (c >= 0x1e00 && c <= 0x1eff) || c === 0x212b);

/**
 * Lowercase, one code point at a time, so that positions hold: beyond ASCII, toLowerCase on the
 * whole string lowercases a final "Σ" by its context, and "İ" into two units, which stays "İ".
 */
export function foldCase(s: string): string {
  const lower = s.toLowerCase();
  if (lower.length === s.length && !s.includes('Σ')) return lower;
  let out = '';
  for (const ch of s) {
    const l = ch.toLowerCase();
    out += l.length === ch.length ? l : ch;
  }
  return out;
}

/** Accents off Latin letters, unit by unit: `Naïve Ørsted` → `Naive Orsted`. */
export function foldAccents(s: string): string {
  if (!NON_ASCII.test(s)) return s;
  let out = '';
  let from = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (!mayFold(c)) continue;
    const base = baseOf(c);
    if (base === c) continue;
    out += s.slice(from, k) + String.fromCharCode(base);
    from = k + 1;
  }
  return from === 0 ? s : out + s.slice(from);
}

/**
 * Neither case nor accents: what a query of plain lowercase letters is compared with. Folding
 * case first would change nothing (text-fold.test.ts checks every character).
 */
export function foldBoth(s: string): string {
  return NON_ASCII.test(s) ? foldCase(foldAccents(s)) : s.toLowerCase();
}

/** Which differences `query` keeps: case when it has an uppercase letter, accents when it has an accented one. */
export function variantOf(query: string): FoldVariant {
  return (((foldCase(query) !== query ? CASE_SENSITIVE : 0) | (foldAccents(query) !== query ? ACCENT_SENSITIVE : 0)) as FoldVariant);
}

const FOLDS: Record<FoldVariant, (s: string) => string> = { 0: foldBoth, 1: foldAccents, 2: foldCase, 3: (s) => s };

/** The fold a text gets before it is compared with a query of this variant. */
export function foldFor(variant: FoldVariant): (s: string) => string {
  return FOLDS[variant];
}

/** The fold for `query` itself: `foldFor(variantOf(query))`, which leaves `query` unchanged. */
export function foldForQuery(query: string): (s: string) => string {
  return FOLDS[variantOf(query)];
}
