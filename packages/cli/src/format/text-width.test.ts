import { describe, expect, it } from 'vitest';
import { displayWidth, escapeForTerminal, escapeJsonForTerminal, escapePlain } from './text-width.ts';

describe('escapeForTerminal', () => {
  it.each([
    ['plain', 'plain'],
    ['', ''],
    ['日本 🐦 naïve', '日本 🐦 naïve'],
    ['tab\there', 'tab\\there'],
    ['two\nlines\r', 'two\\nlines\\r'],
    ['\x1b[31mred\x1b[0m', '\\x1b[31mred\\x1b[0m'],
    ['bell\x07', 'bell\\x07'],
    ['nul\x00', 'nul\\x00'],
    ['del\x7f', 'del\\x7f'],
    ['c1 \x85 \x9b', 'c1 \\x85 \\x9b'],
    ['\u202aLRE \u202bRLE \u202cPDF \u202dLRO \u202eRLO', '\\u202aLRE \\u202bRLE \\u202cPDF \\u202dLRO \\u202eRLO'],
    ['\u2066LRI \u2067RLI \u2068FSI \u2069PDI', '\\u2066LRI \\u2067RLI \\u2068FSI \\u2069PDI'],
    ['\u200eLRM \u200fRLM \u061cALM', '\\u200eLRM \\u200fRLM \\u061cALM'],
    // Not controls: zero-width joiners in emoji, the BOM-like ZWNBSP and non-breaking space stay.
    ['👩\u200d💻 \u00a0', '👩\u200d💻 \u00a0'],
  ])('%j → %j', (text, expected) => {
    expect(escapeForTerminal(text)).toBe(expected);
  });

  it('leaves nothing a terminal would act on, and its width is its length for ASCII input', () => {
    const all = Array.from({ length: 0xa0 }, (_, i) => String.fromCharCode(i)).join('') + '\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069';
    const escaped = escapeForTerminal(all);
    // eslint-disable-next-line no-control-regex
    expect(escaped).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
    expect(displayWidth(escaped)).toBe(escaped.length);
  });
});

describe('escapeJsonForTerminal', () => {
  it.each([
    ['{"a":"plain"}', '{"a":"plain"}'],
    [JSON.stringify({ c: '\x1b[1m\x07' }), '{"c":"\\u001b[1m\\u0007"}'],
    [JSON.stringify({ c: 'del\x7f c1\x85' }), '{"c":"del\\u007f c1\\u0085"}'],
    [JSON.stringify({ c: '\u202eevil\u202c \u2066 \u200f \u061c' }), '{"c":"\\u202eevil\\u202c \\u2066 \\u200f \\u061c"}'],
    [JSON.stringify({ '\u202ekey': 1 }), '{"\\u202ekey":1}'],
  ])('%j → %j', (json, expected) => {
    const escaped = escapeJsonForTerminal(json);
    expect(escaped).toBe(expected);
    // Still JSON, still the same value.
    expect(JSON.parse(escaped)).toEqual(JSON.parse(json));
  });
});

/** What escapePlain was given, read back as a script would: `\\` a backslash, `\n` a newline, `\xNN`, `\uNNNN`. */
function readPlain(plain: string): string {
  const named: Record<string, string> = { '\\': '\\', n: '\n', t: '\t', r: '\r' };
  return plain.replace(/\\(\\|n|t|r|x[0-9a-f]{2}|u[0-9a-f]{4})/g, (_m, e: string) => named[e] ?? String.fromCharCode(parseInt(e.slice(1), 16)));
}

describe('escapePlain', () => {
  it.each([
    ['git push', 'git push'],
    ['for f in *\ndo ls\ndone', 'for f in *\\ndo ls\\ndone'],
    // The text `\n` is not a newline: its backslash is doubled.
    ["printf 'a\\n'", "printf 'a\\\\n'"],
    ['a\\\nb', 'a\\\\\\nb'],
    ['\x1b]52;c;ZXZpbA==\x07 \u009b2J \u202eevil', '\\x1b]52;c;ZXZpbA==\\x07 \\x9b2J \\u202eevil'],
  ])('%j → %j', (text, plain) => {
    expect(escapePlain(text)).toBe(plain);
    expect(readPlain(plain)).toBe(text);
  });

  it('reads back as exactly the text it was given, whatever mix of backslashes and controls', () => {
    const units = ['\\', 'n', 'x', '1', 'b', 'u', '2', '0', 'e', '\n', '\t', '\r', '\x1b', '\x07', '\x9b', '\u202e', ' '];
    let seed = 3;
    const random = () => ((seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32);
    for (let i = 0; i < 2000; i++) {
      const text = Array.from({ length: 1 + Math.floor(random() * 12) }, () => units[Math.floor(random() * units.length)]).join('');
      const plain = escapePlain(text);
      // eslint-disable-next-line no-control-regex
      expect(plain).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
      expect(readPlain(plain), JSON.stringify(text)).toBe(text);
    }
  });
});
