import { describe, expect, it } from 'vitest';
import { foldAccents, foldBoth, foldCase, foldForQuery, variantOf } from './text-fold.ts';

describe('foldAccents', () => {
  it('folds every letter Unicode decomposes into a Latin letter and marks (the ranges it scans hold them all)', () => {
    const missed: string[] = [];
    for (let c = 0x80; c < 0x10000; c++) {
      if (c >= 0xd800 && c < 0xe000) continue;
      const letter = String.fromCharCode(c);
      const decomposed = letter.normalize('NFD');
      if (/^[A-Za-z]\p{M}+$/u.test(decomposed) && foldAccents(letter) !== decomposed[0]) missed.push(letter);
    }
    expect(missed).toEqual([]);
  });
});

describe('how the folds relate', () => {
  /** The ASCII letters in `text`, case folded: what the matcher's masks record of it. */
  const letters = (text: string) => new Set([...text.toLowerCase()].filter((c) => c >= 'a' && c <= 'z'));

  it('makes the both-folded copy hold every ASCII letter the case- or accent-folded copy does (the matcher masks only it)', () => {
    const missed: string[] = [];
    for (let c = 0x80; c < 0x10000; c++) {
      if (c >= 0xd800 && c < 0xe000) continue;
      const ch = String.fromCharCode(c);
      const [lower, plain, both] = [foldCase(ch), foldAccents(ch), foldBoth(ch)];
      const have = new Set([...letters(ch), ...letters(both)]);
      if (![...letters(lower), ...letters(plain)].every((l) => have.has(l))) missed.push(ch);
    }
    expect(missed).toEqual([]);
  });

  it('composes as narrowing needs: folding again, or folding case first, changes nothing', () => {
    const missed: string[] = [];
    for (let c = 0; c < 0x10000; c++) {
      if (c >= 0xd800 && c < 0xe000) continue;
      const ch = String.fromCharCode(c);
      const [lower, plain, both] = [foldCase(ch), foldAccents(ch), foldBoth(ch)];
      if (foldCase(lower) !== lower || foldAccents(plain) !== plain || foldBoth(lower) !== both || foldBoth(plain) !== both || foldBoth(both) !== both) missed.push(ch);
    }
    expect(missed).toEqual([]);
  });
});

describe('folds', () => {
  it.each<[string, string, string, string]>([
    // text, case folded, accents folded, both
    ['Git PUSH', 'git push', 'Git PUSH', 'git push'],
    ['Naïve CAFÉ', 'naïve café', 'Naive CAFE', 'naive cafe'],
    ['Ørsted Łódź straße', 'ørsted łódź straße', 'Orsted Lodz straße', 'orsted lodz straße'],
    ['ÅNGSTRÖM ñ ǘ', 'ångström ñ ǘ', 'ANGSTROM n u', 'angstrom n u'],
    // Every character keeps its length: "İ" (two units lowercased) stays; a final "Σ" is "σ", as anywhere.
    ['İstanbul ΟΔΟΣ', 'İstanbul οδοσ', 'Istanbul ΟΔΟΣ', 'istanbul οδοσ'],
    // Not Latin letters with marks: left as they are.
    ['日本 ё 😀', '日本 ё 😀', '日本 ё 😀', '日本 ё 😀'],
  ])('%j → %j, %j, %j', (text, lower, plain, both) => {
    expect([foldCase(text), foldAccents(text), foldBoth(text)]).toEqual([lower, plain, both]);
    for (const folded of [lower, plain, both]) expect(folded).toHaveLength(text.length);
  });
});

describe('smart case and accents', () => {
  it.each<[string, number, string, boolean]>([
    ['echo', 0, 'ECHO naïve', true],
    ['naive', 0, 'echo NAÏVE', true],
    ['ECHO', 1, 'echo', false],
    ['NAIVE', 1, 'NAÏVE', true],
    ['naïve', 2, 'NAÏVE', true],
    ['naïve', 2, 'naive', false],
    ['Naïve', 3, 'naïve', false],
  ])('%j (variant %i) in %j: %s', (query, variant, text, found) => {
    expect(variantOf(query)).toBe(variant);
    expect(foldForQuery(query)(query)).toBe(query);
    expect(foldForQuery(query)(text).includes(query)).toBe(found);
  });
});
