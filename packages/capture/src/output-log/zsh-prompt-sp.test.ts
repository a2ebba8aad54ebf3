import { describe, expect, it } from 'vitest';
import { withoutZshPromptSp } from './zsh-prompt-sp.ts';

const SP = `\x1b[1m\x1b[7m%\x1b[27m\x1b[1m\x1b[0m${' '.repeat(99)}\r \r`;

describe('withoutZshPromptSp', () => {
  it.each([
    ['output ending in a newline', `hello\r\n${SP}`, 'hello\r\n'],
    ['output without a final newline keeps its last line', `abc${SP}`, 'abc'],
    ['root\'s # mark', `x\r\n${SP.replace('%', '#')}`, 'x\r\n'],
    ['no PROMPT_SP (unsetopt prompt_sp): unchanged', 'hello\r\n', 'hello\r\n'],
    ['a PROMPT_EOL_MARK of the user\'s own: left in', `x\r\n<eol>${' '.repeat(9)}\r \r`, `x\r\n<eol>${' '.repeat(9)}\r \r`],
    ['nothing printed', SP, ''],
  ])('%s', (_name, text, kept) => {
    const bytes = Buffer.from(text, 'latin1');
    const out = withoutZshPromptSp({ key: 'k', start: 0, kept: bytes, byteLength: bytes.length + 10, alternateScreen: false });
    expect(out.kept.toString('latin1')).toBe(kept);
    expect(out.byteLength).toBe(kept.length + 10);
  });
});
