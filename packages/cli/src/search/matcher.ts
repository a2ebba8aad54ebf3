/**
 * The matcher behind the interactive Ctrl-R search: which commands match what is typed, in which
 * order, and which characters to highlight. It runs on every keystroke over up to ~100,000
 * distinct commands, so the scan is kept bare (bench/search-match.md has the numbers):
 *
 * - each command carries a 32-bit mask of the characters it contains, so most candidates are
 *   rejected with one AND before any string is read;
 * - folded copies (lowercase, accents off: see text-fold.ts) are made once, and only for
 *   commands that have an uppercase or a non-ASCII letter; the others are their own copies; the
 *   copies only a query with an uppercase or an accented letter needs wait for one;
 * - when a query only narrows the previous one, only the previous matches are re-tested, and the
 *   chain of earlier match sets is kept so that deleting a character is as cheap as typing it;
 * - at most `limit` results are kept per tier, and tiers that can no longer reach the top are
 *   not even computed; the remaining matches are only counted.
 *
 * @example
 * const matcher = new Matcher(commands);
 * const { top, total } = matcher.search('git push', 'fuzzy', byRecency, 20);
 * const marks = matcher.positions('git push', 'fuzzy', top[0]!);
 */
import { foldVariant, isSubsequence, narrows, parseQuery, type Query, type SearchMode, type Term } from './query-syntax.ts';
import { CASE_SENSITIVE, foldBoth, foldFor, type FoldVariant } from './text-fold.ts';

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

/** Match sets kept for narrowing; each is at most the candidates' size, and queries are short. */
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
}

interface Cached {
  readonly query: Query;
  /** Every candidate that matches `query`, in candidate order. */
  readonly matches: Uint32Array;
}

export class Matcher {
  private readonly commands: readonly string[];
  /**
   * Each command as each {@link FoldVariant} compares it: case and accents folded (made here,
   * what a query in lowercase needs), accents folded, case folded (made when a query first
   * needs them: one with an uppercase or an accented letter), and as typed. A command with
   * nothing to fold is the same string in each.
   */
  private readonly hays: (readonly string[] | undefined)[];
  /** The commands with a non-ASCII character: the only ones whose copies differ beyond case. */
  private readonly nonAscii: number[] = [];
  private readonly masks: Int32Array;
  private cachedCandidates: Uint32Array | undefined;
  private cachedMode: SearchMode | undefined;
  /** Each entry's query narrows the one below it. */
  private cache: Cached[] = [];
  private scratch = new Uint32Array(0);

  constructor(commands: readonly string[]) {
    this.commands = commands;
    const both = new Array<string>(commands.length);
    const masks = new Int32Array(commands.length);
    for (let i = 0; i < commands.length; i++) {
      const command = commands[i]!;
      let mask = maskOf(command);
      let folded = command;
      if (NEEDS_FOLD.test(command)) {
        folded = foldBoth(command);
        // Some non-ASCII letters fold to ASCII ones (the Kelvin sign to "k", "é" to "e"): give
        // the mask those letters too, or "k" or "e" would be rejected before it is tested. The
        // both-folded copy holds every letter the other copies do (text-fold.test.ts).
        if (NON_ASCII.test(command)) {
          mask |= maskOf(folded);
          this.nonAscii.push(i);
        }
      }
      both[i] = folded;
      masks[i] = mask;
    }
    this.hays = [both, undefined, undefined, commands];
    this.masks = masks;
  }

  /**
   * The copies `query`'s terms are compared with, each made on first need: an ASCII command's
   * accent-folded copy is itself and its case-folded copy its folded one, so only the non-ASCII
   * commands are folded then.
   */
  private haysFor(query: Query): readonly (readonly string[])[] {
    for (const group of query) {
      for (const term of group) {
        const variant = foldVariant(term);
        if (this.hays[variant] !== undefined) continue;
        const hay = (variant === CASE_SENSITIVE ? this.commands : this.hays[0]!).slice();
        const fold = foldFor(variant);
        for (const i of this.nonAscii) hay[i] = fold(this.commands[i]!);
        this.hays[variant] = hay;
      }
    }
    return this.hays as readonly (readonly string[])[];
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
    const hays = this.haysFor(parsed);
    const { masks } = this;
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
      if (!maskDecides && !matchesQuery(parsed, hays, i)) continue;
      matches[total++] = i;
      if (cutoff < 0) continue;
      const tier = tierOf(prepared, hays, i, cutoff);
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
    if (this.cache.length > MAX_CACHED) this.cache.shift();
    const top: number[] = [];
    for (let t = 0; t < tiers.length && top.length < keep; t++) {
      for (let k = 0; k < counts[t]! && top.length < keep; k++) top.push(tiers[t]![k]!);
    }
    return { top, total };
  }

  /**
   * The UTF-16 positions in `commands[index]` to highlight for `query`, ascending: each positive
   * term's occurrence (a contiguous one when there is, else a tight subsequence). Empty when the
   * command does not match. Meant for the few rows on screen, so it is not optimised.
   */
  positions(query: string, mode: SearchMode, index: number): number[] {
    if (!Number.isInteger(index) || index < 0 || index >= this.commands.length) return [];
    const parsed = parseQuery(query, mode);
    const hays = this.haysFor(parsed);
    if (!matchesQuery(parsed, hays, index)) return [];
    const marked = new Set<number>();
    for (const group of parsed) {
      for (const term of group) {
        if (term.negated || !termMatches(term, hays, index)) continue;
        for (const at of termPositions(term, hays[foldVariant(term)]![index]!)) marked.add(at);
      }
    }
    return [...marked].sort((a, b) => a - b);
  }
}

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
    phraseVariant: single.reduce<number>((v, term) => v | foldVariant(term), 0) as FoldVariant,
    first: single[0],
  };
}

/** Command `i` of `hays`: does it match every group of `query`? */
function matchesQuery(query: Query, hays: readonly (readonly string[])[], i: number): boolean {
  for (let g = 0; g < query.length; g++) {
    const group = query[g]!;
    let any = false;
    for (let t = 0; t < group.length && !any; t++) any = termMatches(group[t]!, hays, i);
    if (!any) return false;
  }
  return true;
}

function termMatches(term: Term, hays: readonly (readonly string[])[], i: number): boolean {
  const hay = hays[foldVariant(term)]![i]!;
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
function tierOf(prepared: Prepared, hays: readonly (readonly string[])[], i: number, cutoff: number): number {
  const { phrase, first } = prepared;
  if (phrase !== '') {
    const hay = hays[prepared.phraseVariant]![i]!;
    if (hay === prepared.phraseTrimmed || (hasOuterSpace(hay) && hay.trim() === prepared.phraseTrimmed)) return EQUAL;
    if (cutoff < PREFIX) return PREFIX;
    if (hay.startsWith(phrase)) return PREFIX;
    if (first !== undefined && hays[foldVariant(first)]![i]!.startsWith(first.text)) return PREFIX;
  }
  if (cutoff < WORD) return WORD;
  let worst = WORD;
  for (const group of prepared.ranked) {
    let best = FUZZY;
    for (let t = 0; t < group.length && best > WORD; t++) {
      const term = group[t]!;
      best = Math.min(best, termLevel(term, hays[foldVariant(term)]![i]!));
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

/** An uppercase ASCII letter or any non-ASCII character: the command needs folded copies. */
const NEEDS_FOLD = /[A-Z\u0080-\uffff]/;
const NON_ASCII = /[\u0080-\uffff]/;

function maskOf(text: string): number {
  let mask = 0;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    mask |= c < 128 ? ASCII_BITS[c]! : OTHER_BIT;
  }
  return mask;
}
