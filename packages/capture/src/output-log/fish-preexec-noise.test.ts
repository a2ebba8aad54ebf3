import { describe, expect, it } from 'vitest';
import { withoutFishPreexecNoise } from './fish-preexec-noise.ts';

const NOISE = '\x1b[?2004l\x1b]0;echo second /w/w/passive-capture\x07\x1b[30m\x1b[m\x0f\r';

describe('withoutFishPreexecNoise', () => {
  it.each([
    ['fish 3.6 before a command', `${NOISE}second\r\n`, 'second\r\n'],
    ['a title ended by ST', '\x1b[?2004l\x1b]0;t\x1b\\\x1b[m\rout', 'out'],
    ['xterm-256color spells the reset \\e(B\\e[m', '\x1b[?2004l\x1b]0;echo hi ~\x07\x1b[30m\x1b(B\x1b[m\rhi\r\n', 'hi\r\n'],
    ['fish without its config: only the reset and a carriage return', '\x1b(B\x1b[m\rhi\r\n', 'hi\r\n'],
    ['a reset not followed by a carriage return is the command\'s', '\x1b(B\x1b[mhi\r\n', '\x1b(B\x1b[mhi\r\n'],
    ['no noise (another terminal setting): unchanged', 'second\r\n', 'second\r\n'],
    ['a command that starts with a colour keeps it', '\x1b[31mred\x1b[0m\r\n', '\x1b[31mred\x1b[0m\r\n'],
    ['nothing printed', NOISE, ''],
  ])('%s', (_name, text, kept) => {
    const bytes = Buffer.from(text, 'latin1');
    const out = withoutFishPreexecNoise({ key: 'k', start: 0, kept: bytes, byteLength: bytes.length + 5, alternateScreen: false });
    expect(out.kept.toString('latin1')).toBe(kept);
    expect(out.byteLength).toBe(kept.length + 5);
  });
});
