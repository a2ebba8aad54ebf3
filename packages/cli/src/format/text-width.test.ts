import { describe, expect, it } from 'vitest';
import { displayWidth, escapeControls, escapeForTerminal, escapeJsonForTerminal } from './text-width.ts';

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

  it('escapeControls (the table layout, piped too) leaves bidi controls alone', () => {
    expect(escapeControls('a\nb\u202e')).toBe('a\\nb\u202e');
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
