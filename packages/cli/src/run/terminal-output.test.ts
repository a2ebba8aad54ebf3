import { describe, expect, it } from 'vitest';
import { outputForTerminal } from './terminal-output.ts';

describe('outputForTerminal keeps colours and line breaks, and shows every other control as an escape', () => {
  it.each([
    ['plain text', 'hello\nworld\n', 'hello\nworld\n'],
    ['CRLF line ends and tabs', 'a\tb\r\nc', 'a\tb\r\nc'],
    ['colours', '\u001b[31mred\u001b[0m \u001b[1;38;5;208mbold\u001b[m', '\u001b[31mred\u001b[0m \u001b[1;38;5;208mbold\u001b[m'],
    ['a window title (OSC 0)', '\u001b]0;pwned\u0007x', '\\x1b]0;pwned\\x07x'],
    ['a clipboard write (OSC 52)', '\u001b]52;c;ZXZpbA==\u001b\\', '\\x1b]52;c;ZXZpbA==\\x1b\\'],
    ['a cursor move and a screen clear', '\u001b[2J\u001b[H', '\\x1b[2J\\x1b[H'],
    ['a lone carriage return (progress bars overwrite with it)', '10%\r100%', '10%\\r100%'],
    ['a bidi override', 'abc\u202edef', 'abc\\u202edef'],
    ['bytes that are not UTF-8', Buffer.from([0x61, 0xff, 0x62]), 'a\ufffdb'],
  ])('%s', (_name, input, shown) => {
    expect(outputForTerminal(typeof input === 'string' ? Buffer.from(input) : input)).toBe(shown);
  });
});
