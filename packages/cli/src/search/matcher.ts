/**
 * The matcher behind the interactive Ctrl-R search: which commands match what is typed, in which
 * order, and which characters to highlight. It runs on every keystroke over up to millions of
 * distinct commands, so the scan is kept bare (bench/search-match.md has the numbers):
 *
 * - the commands are one buffer of UTF-8 (the history index's table, as its snapshot holds it:
 *   no JS string per command, which at 3.3M commands would take ~200 MB, bench/team-scale.md);
 *   an ASCII command is compared byte by byte, its case folded by a table lookup where the term
 *   ignores case, which for ASCII is all the folding there is (text-fold.ts);
 * - a command with a non-ASCII character is compared as strings, folded as the term asks
 *   (lowercase, accents off), each copy made when first needed and kept;
 * - each command carries a 32-bit mask of the characters it contains, so most candidates are
 *   rejected with one AND before any byte is read;
 * - when a query only narrows the previous one, only the previous matches are re-tested, and the
 *   chain of earlier match sets is kept so that deleting a character is as cheap as typing it;
 * - at most `limit` results are kept per tier, and tiers that can no longer reach the top are
 *   not even computed; the remaining matches are only counted.
 *
 * @example
 * const matcher = new Matcher(commands); // strings, or the index's CommandText
 * const { top, total } = matcher.search('git push', 'fuzzy', byRecency, 20);
 * const marks = matcher.positions('git push', 'fuzzy', top[0]!);
 */
import { commandTextOfStrings, type CommandText } from '@bird/history-index';
import { foldVariant, isSubsequence, narrows, parseQuery, type Query, type SearchMode, type Term } from './query-syntax.ts';
import { CASE_SENSITIVE, foldFor, type FoldVariant } from './text-fold.ts';

export type { SearchMode } from './query-syntax.ts';

export interface MatchResult {
  /** Indexes into the commands, best first, at most `limit` of them. */
  readonly top: number[];
  /** How many candidates match. */
  readonly total: number;
}

/**
 * Ranking tiers, best first. A match's tier is the best that holds:
 * - equal: the command is the query (both trimmed);
 * - prefix: the command starts with the query, or with its first term;
 * - word: every term occurs contiguously, starting at a word boundary;
 * - substring: every term occurs contiguously;
 * - fuzzy: some term occurs only as a subsequence.
 * Within a tier the caller's candidate order stands: it already encodes recency and frequency.
 * "The query" is its positive terms joined by single spaces, so "kubectl get pods !test" ranks
 * like "kubectl get pods"; negated terms and terms in an OR group do not take part in it.
 */
export const TIERS = ['equal', 'prefix', 'word', 'substring', 'fuzzy'] as const;
const EQUAL = 0;
const PREFIX = 1;
const WORD = 2;
const SUBSTRING = 3;
const FUZZY = 4;

/** Match sets kept for narrowing, at most; together they hold at most half as many numbers as the candidates. */
const MAX_CACHED = 32;

/** A query prepared for scanning: what `parseQuery` gives, plus what ranking and rejection need. */
interface Prepared {
  readonly query: Query;
  /** Mask bits every match must have. */
  readonly required: number;
  /** The mask alone decides the match (see `prepare`). */
  readonly maskDecides: boolean;
  /** Groups that take part in ranking: one or more positive terms, no negated one. */
  readonly ranked: Query;
  /** The positive single-term groups' texts joined by spaces, and the same trimmed. */
  readonly phrase: string;
  readonly phraseTrimmed: string;
  /** The copy the phrase is compared with: it keeps what any of its terms keeps. */
  readonly phraseVariant: FoldVariant;
  readonly first: Term | undefined;
  /** What the byte comparisons of ASCII commands need: each term's bytes and fold, the phrase's. */
  readonly bytes: Map<Term, TermBytes>;
  readonly phraseBytes: TermBytes;
  readonly phraseTrimmedBytes: TermBytes;
}

/** A text as UTF-8, and the table an ASCII command's bytes go through before they are compared with it. */
interface TermBytes {
  readonly text: Uint8Array;
  readonly fold: Uint8Array;
}

interface Cached {
  readonly query: Query;
  /** Every candidate that matches `query`, in candidate order. */
  readonly matches: Uint32Array;
}

export class Matcher {
  private readonly table: CommandText;
  private readonly bytes: Uint8Array;
  private readonly starts: Uint32Array;
  /** 1 for a command with a non-ASCII character: compared as strings (see `variants`). */
  private readonly nonAscii: Uint8Array;
  /** A non-ASCII command's copies, by {@link FoldVariant}, each made when first needed. */
  private readonly variants = new Map<number, (string | undefined)[]>();
  private readonly masks: Int32Array;
  private cachedCandidates: Uint32Array | undefined;
  private cachedMode: SearchMode | undefined;
  /** Each entry's query narrows the one below it. */
  private cache: Cached[] = [];
  private scratch = new Uint32Array(0);

  constructor(commands: readonly string[] | CommandText) {
    const table = Array.isArray(commands) ? commandTextOfStrings(commands as readonly string[]) : (commands as CommandText);
    this.table = table;
    this.bytes = table.bytes;
    this.starts = table.starts;
    const { bytes, starts, count } = table;
    const masks = new Int32Array(count);
    const nonAscii = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      let mask = 0;
      let high = 0;
      for (let k = starts[i]!, end = starts[i + 1]! - 1; k < end; k++) {
        const b = bytes[k]!;
        high |= b;
        mask |= b < 128 ? ASCII_BITS[b]! : OTHER_BIT;
      }
      if (high >= 128) {
        nonAscii[i] = 1;
        // Some non-ASCII letters fold to ASCII ones (the Kelvin sign to "k", "é" to "e"): give
        // the mask those letters too, or "k" or "e" would be rejected before it is tested. The
        // both-folded copy holds every letter the other copies do (text-fold.test.ts).
        mask |= maskOf(this.variant(i, 0));
      }
      masks[i] = mask;
    }
    this.masks = masks;
    this.nonAscii = nonAscii;
  }

  /** Command `i`'s text. */
  private text(i: number): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length).toString('utf8', this.starts[i]!, this.starts[i + 1]! - 1);
  }

  /** Command `i` as a term of this variant compares it (made once; for the non-ASCII commands and the rows on screen). */
  private variant(i: number, variant: FoldVariant): string {
    let copies = this.variants.get(i);
    if (copies === undefined) this.variants.set(i, (copies = [undefined, undefined, undefined, this.text(i)]));
    return (copies[variant] ??= foldFor(variant)(copies[3]!));
  }

  /** Every copy of command `i`, as the string comparisons take them. */
  private hays(i: number): Hays {
    return (variant) => this.variant(i, variant);
  }

  /**
   * The best `limit` of `candidates` that match `query`, and how many match in all.
   * `candidates` are command indexes in the caller's preference order (recency, frequency),
   * possibly a subset after filters; pass the same array again while the user types, so that
   * a narrowing query re-tests only the previous matches. The array must not change in place.
   */
  search(query: string, mode: SearchMode, candidates: Uint32Array, limit: number): MatchResult {
    if (candidates !== this.cachedCandidates || mode !== this.cachedMode) {
      this.cachedCandidates = candidates;
      this.cachedMode = mode;
      this.cache = [];
    }
    const keep = Math.max(0, Math.min(Math.floor(limit), candidates.length));
    const parsed = parseQuery(query, mode);
    if (parsed.length === 0) {
      this.cache = [];
      return { top: Array.from(candidates.subarray(0, keep)), total: candidates.length };
    }
    while (this.cache.length > 0 && !narrows(parsed, this.cache[this.cache.length - 1]!.query)) this.cache.pop();
    const source = this.cache[this.cache.length - 1]?.matches ?? candidates;

    const prepared = prepare(parsed);
    const { masks, nonAscii, bytes, starts } = this;
    const { required, maskDecides } = prepared;
    if (this.scratch.length < source.length) this.scratch = new Uint32Array(candidates.length);
    const matches = this.scratch;
    const tiers = TIERS.map(() => new Uint32Array(Math.min(keep, source.length)));
    const counts = [0, 0, 0, 0, 0];
    // Tiers above the cutoff cannot reach the top any more, so they are not computed.
    let cutoff = keep === 0 ? -1 : FUZZY;
    let total = 0;
    for (let k = 0; k < source.length; k++) {
      const i = source[k]!;
      if ((masks[i]! & required) !== required) continue;
      const ascii = nonAscii[i] === 0;
      if (!maskDecides && !(ascii ? matchesBytes(prepared, bytes, starts[i]!, starts[i + 1]! - 1) : matchesQuery(parsed, this.hays(i)))) continue;
      matches[total++] = i;
      if (cutoff < 0) continue;
      const tier = ascii ? tierOfBytes(prepared, bytes, starts[i]!, starts[i + 1]! - 1, cutoff) : tierOf(prepared, this.hays(i), cutoff);
      if (tier > cutoff || counts[tier]! >= keep) continue;
      tiers[tier]![counts[tier]!++] = i;
      let sum = 0;
      for (let t = 0; t <= cutoff; t++) {
        sum += counts[t]!;
        if (sum >= keep) {
          cutoff = t;
          break;
        }
      }
    }

    this.cache.push({ query: parsed, matches: matches.slice(0, total) });
    // The broadest sets go first: past half as many numbers as there are candidates (6.5 MB at
    // 3.3M commands), deleting back to their queries costs a full scan, not memory.
    let cached = this.cache.reduce((sum, c) => sum + c.matches.length, 0);
    while (this.cache.length > MAX_CACHED || (this.cache.length > 1 && cached > candidates.length / 2)) cached -= this.cache.shift()!.matches.length;
    const top: number[] = [];
    for (let t = 0; t < tiers.length && top.length < keep; t++) {
      for (let k = 0; k < counts[t]! && top.length < keep; k++) top.push(tiers[t]![k]!);
    }
    return { top, total };
  }

  /**
   * The UTF-16 positions in command `index` to highlight for `query`, ascending: each positive
   * term's occurrence (a contiguous one when there is, else a tight subsequence). Empty when the
   * command does not match. Meant for the few rows on screen, so it is not optimised.
   */
  positions(query: string, mode: SearchMode, index: number): number[] {
    if (!Number.isInteger(index) || index < 0 || index >= this.table.count) return [];
    const parsed = parseQuery(query, mode);
    const hays = this.hays(index);
    if (!matchesQuery(parsed, hays)) return [];
    const marked = new Set<number>();
    for (const group of parsed) {
      for (const term of group) {
        if (term.negated || !termMatches(term, hays)) continue;
        for (const at of termPositions(term, hays(foldVariant(term)))) marked.add(at);
      }
    }
    return [...marked].sort((a, b) => a - b);
  }
}

/** A command's copy for a {@link FoldVariant}. */
type Hays = (variant: FoldVariant) => string;

function prepare(query: Query): Prepared {
  let required = 0;
  const ranked: (readonly Term[])[] = [];
  const single: Term[] = [];
  for (const group of query) {
    if (group.some((term) => term.negated)) continue;
    ranked.push(group);
    // A command needs the bits that every alternative of the group needs.
    required |= group.map((term) => maskOf(term.text)).reduce((a, b) => a & b);
    if (group.length === 1) single.push(group[0]!);
  }
  const phrase = single.map((term) => term.text).join(' ');
  const phraseVariant = single.reduce<number>((v, term) => v | foldVariant(term), 0) as FoldVariant;
  const bytes = new Map<Term, TermBytes>();
  for (const group of query) for (const term of group) bytes.set(term, termBytes(term.text, foldVariant(term)));
  // A lowercase letter has a bit of its own, set exactly when the lowercase copy holds the
  // letter; so a first keystroke ("g", or "g p") is decided without reading any command.
  const maskDecides = query.every((group) => {
    const term = group[0]!;
    return group.length === 1 && !term.negated && (term.kind === 'fuzzy' || term.kind === 'exact') && /^[a-z]$/.test(term.text);
  });
  return {
    query,
    required,
    maskDecides,
    ranked,
    phrase,
    phraseTrimmed: phrase.trim(),
    phraseVariant,
    first: single[0],
    bytes,
    phraseBytes: termBytes(phrase, phraseVariant),
    phraseTrimmedBytes: termBytes(phrase.trim(), phraseVariant),
  };
}

/** An ASCII byte as itself, or lowercased: all that folding does to ASCII (text-fold.ts). */
const SAME = Uint8Array.from({ length: 256 }, (_, b) => b);
const LOWER = Uint8Array.from({ length: 256 }, (_, b) => (b >= 65 && b <= 90 ? b + 32 : b));

function termBytes(text: string, variant: FoldVariant): TermBytes {
  return { text: Buffer.from(text, 'utf8'), fold: variant & CASE_SENSITIVE ? SAME : LOWER };
}

// The byte comparisons below are the string ones further down for an ASCII command, whose
// UTF-16 units are its bytes: a term with a non-ASCII character never matches one, either way.

/** Does `t` occur in `bytes[from..to)` at `at`? */
function bytesAt(t: TermBytes, bytes: Uint8Array, at: number, to: number): boolean {
  const { text, fold } = t;
  if (at < 0 || at + text.length > to) return false;
  for (let k = 0; k < text.length; k++) if (fold[bytes[at + k]!] !== text[k]) return false;
  return true;
}

/** Where `t` first occurs in `bytes[from..to)` at or after `at`, or -1. */
function bytesIndexOf(t: TermBytes, bytes: Uint8Array, at: number, to: number): number {
  const { text, fold } = t;
  const first = text[0];
  for (let p = at, last = to - text.length; p <= last; p++) {
    if (fold[bytes[p]!] !== first) continue;
    let k = 1;
    while (k < text.length && fold[bytes[p + k]!] === text[k]) k++;
    if (k === text.length) return p;
  }
  return -1;
}

function bytesSubsequence(t: TermBytes, bytes: Uint8Array, from: number, to: number): boolean {
  const { text, fold } = t;
  let k = 0;
  for (let p = from; p < to && k < text.length; p++) if (fold[bytes[p]!] === text[k]) k++;
  return k === text.length;
}

function termMatchesBytes(term: Term, t: TermBytes, bytes: Uint8Array, from: number, to: number): boolean {
  let found: boolean;
  switch (term.kind) {
    case 'fuzzy':
      found = bytesSubsequence(t, bytes, from, to);
      break;
    case 'exact':
      found = bytesIndexOf(t, bytes, from, to) >= 0;
      break;
    case 'prefix':
      found = bytesAt(t, bytes, from, to);
      break;
    case 'suffix':
      found = bytesAt(t, bytes, to - t.text.length, to);
      break;
    case 'equal':
      found = to - from === t.text.length && bytesAt(t, bytes, from, to);
      break;
  }
  return found !== term.negated;
}

function matchesBytes(prepared: Prepared, bytes: Uint8Array, from: number, to: number): boolean {
  const { query } = prepared;
  for (let g = 0; g < query.length; g++) {
    const group = query[g]!;
    let any = false;
    for (let t = 0; t < group.length && !any; t++) any = termMatchesBytes(group[t]!, prepared.bytes.get(group[t]!)!, bytes, from, to);
    if (!any) return false;
  }
  return true;
}

/** What String.prototype.trim takes off an ASCII string's ends. */
const isAsciiSpace = (b: number) => b === 32 || (b >= 9 && b <= 13);

/** tierOf, for an ASCII command in `bytes[from..to)`. */
function tierOfBytes(prepared: Prepared, bytes: Uint8Array, from: number, to: number, cutoff: number): number {
  const { phrase, first } = prepared;
  if (phrase !== '') {
    let a = from;
    let b = to;
    while (a < b && isAsciiSpace(bytes[a]!)) a++;
    while (b > a && isAsciiSpace(bytes[b - 1]!)) b--;
    if (b - a === prepared.phraseTrimmedBytes.text.length && bytesAt(prepared.phraseTrimmedBytes, bytes, a, b)) return EQUAL;
    if (cutoff < PREFIX) return PREFIX;
    if (bytesAt(prepared.phraseBytes, bytes, from, to)) return PREFIX;
    if (first !== undefined && bytesAt(prepared.bytes.get(first)!, bytes, from, to)) return PREFIX;
  }
  if (cutoff < WORD) return WORD;
  let worst = WORD;
  for (const group of prepared.ranked) {
    let best = FUZZY;
    for (let t = 0; t < group.length && best > WORD; t++) {
      const term = group[t]!;
      best = Math.min(best, termLevelBytes(term, prepared.bytes.get(term)!, bytes, from, to));
    }
    if (best > worst) {
      worst = best;
      if (worst > cutoff) return worst;
    }
  }
  return worst;
}

function termLevelBytes(term: Term, t: TermBytes, bytes: Uint8Array, from: number, to: number): number {
  switch (term.kind) {
    case 'prefix':
    case 'equal':
      return bytesAt(t, bytes, from, to) ? WORD : FUZZY;
    case 'suffix':
      return bytesAt(t, bytes, to - t.text.length, to) ? occurrenceLevelBytes(t, bytes, from, to) : FUZZY;
    case 'exact':
    case 'fuzzy':
      return occurrenceLevelBytes(t, bytes, from, to);
  }
}

function occurrenceLevelBytes(t: TermBytes, bytes: Uint8Array, from: number, to: number): number {
  let at = bytesIndexOf(t, bytes, from, to);
  if (at < 0) return FUZZY;
  while (at >= 0) {
    if (at === from || !isWordChar(bytes[at - 1]!)) return WORD;
    at = bytesIndexOf(t, bytes, at + 1, to);
  }
  return SUBSTRING;
}

/** Does the command whose copies are `hays` match every group of `query`? */
function matchesQuery(query: Query, hays: Hays): boolean {
  for (let g = 0; g < query.length; g++) {
    const group = query[g]!;
    let any = false;
    for (let t = 0; t < group.length && !any; t++) any = termMatches(group[t]!, hays);
    if (!any) return false;
  }
  return true;
}

function termMatches(term: Term, hays: Hays): boolean {
  const hay = hays(foldVariant(term));
  let found: boolean;
  switch (term.kind) {
    case 'fuzzy':
      found = isSubsequence(term.text, hay);
      break;
    case 'exact':
      found = hay.includes(term.text);
      break;
    case 'prefix':
      found = hay.startsWith(term.text);
      break;
    case 'suffix':
      found = hay.endsWith(term.text);
      break;
    case 'equal':
      found = hay === term.text;
      break;
  }
  return found !== term.negated;
}

/** The tier of a matching command, or anything above `cutoff` once that much is known. */
function tierOf(prepared: Prepared, hays: Hays, cutoff: number): number {
  const { phrase, first } = prepared;
  if (phrase !== '') {
    const hay = hays(prepared.phraseVariant);
    if (hay === prepared.phraseTrimmed || (hasOuterSpace(hay) && hay.trim() === prepared.phraseTrimmed)) return EQUAL;
    if (cutoff < PREFIX) return PREFIX;
    if (hay.startsWith(phrase)) return PREFIX;
    if (first !== undefined && hays(foldVariant(first)).startsWith(first.text)) return PREFIX;
  }
  if (cutoff < WORD) return WORD;
  let worst = WORD;
  for (const group of prepared.ranked) {
    let best = FUZZY;
    for (let t = 0; t < group.length && best > WORD; t++) {
      const term = group[t]!;
      best = Math.min(best, termLevel(term, hays(foldVariant(term))));
    }
    if (best > worst) {
      worst = best;
      if (worst > cutoff) return worst;
    }
  }
  return worst;
}

/** How well one positive term occurs in `hay`: WORD, SUBSTRING or FUZZY (or not at all). */
function termLevel(term: Term, hay: string): number {
  switch (term.kind) {
    case 'prefix':
    case 'equal':
      // Where these match, they match at the start.
      return hay.startsWith(term.text) ? WORD : FUZZY;
    case 'suffix':
      return hay.endsWith(term.text) ? occurrenceLevel(hay, term.text) : FUZZY;
    case 'exact':
    case 'fuzzy':
      return occurrenceLevel(hay, term.text);
  }
}

function occurrenceLevel(hay: string, text: string): number {
  let at = hay.indexOf(text);
  if (at < 0) return FUZZY;
  while (at >= 0) {
    if (at === 0 || !isWordChar(hay.charCodeAt(at - 1))) return WORD;
    at = hay.indexOf(text, at + 1);
  }
  return SUBSTRING;
}

/** Where `term` (known to match) shows in `hay`. */
function termPositions(term: Term, hay: string): number[] {
  const { text } = term;
  const span = (start: number, length: number) => Array.from({ length }, (_, k) => start + k);
  switch (term.kind) {
    case 'prefix':
    case 'equal':
      return span(0, text.length);
    case 'suffix':
      return span(hay.length - text.length, text.length);
    case 'exact':
    case 'fuzzy': {
      const at = bestOccurrence(hay, text);
      return at >= 0 ? span(at, text.length) : tightSubsequence(hay, text);
    }
  }
}

/** The first occurrence at a word boundary, else the first one, else -1. */
function bestOccurrence(hay: string, text: string): number {
  const first = hay.indexOf(text);
  for (let at = first; at >= 0; at = hay.indexOf(text, at + 1)) {
    if (at === 0 || !isWordChar(hay.charCodeAt(at - 1))) return at;
  }
  return first;
}

/**
 * fzf's v1 alignment: the earliest end of a subsequence, then backwards from there for the
 * latest start, so "gp" in "git commit -m gp; git push" does not mark a "g" far from its "p".
 */
function tightSubsequence(hay: string, text: string): number[] {
  let end = -1;
  for (let k = 0; k < text.length; k++) {
    end = hay.indexOf(text[k]!, end + 1);
    if (end < 0) return [];
  }
  let start = end;
  for (let k = text.length - 2; k >= 0; k--) start = hay.lastIndexOf(text[k]!, start - 1);
  const marks: number[] = [];
  for (let k = 0, at = start - 1; k < text.length; k++) marks.push((at = hay.indexOf(text[k]!, at + 1)));
  return marks;
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c > 127;
}

function hasOuterSpace(s: string): boolean {
  return s.length > 0 && (s.charCodeAt(0) <= 32 || s.charCodeAt(s.length - 1) <= 32);
}

/**
 * Which of 32 bits a character sets. Letters get one each, case folded, so a mask serves
 * case-sensitive and insensitive terms alike; the rest share bits by what commands hold.
 */
const OTHER_BIT = 1 << 31;
const ASCII_BITS = Int32Array.from({ length: 128 }, (_, c) => {
  if (c >= 97 && c <= 122) return 1 << (c - 97);
  if (c >= 65 && c <= 90) return 1 << (c - 65);
  if (c >= 48 && c <= 57) return 1 << (26 + (c & 1));
  if (c === 32) return 1 << 28;
  if (c === 45 || c === 95) return 1 << 29;
  if (c === 47 || c === 46) return 1 << 30;
  return OTHER_BIT;
});

function maskOf(text: string): number {
  let mask = 0;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    mask |= c < 128 ? ASCII_BITS[c]! : OTHER_BIT;
  }
  return mask;
}
