import { describe, expect, it } from 'vitest';
import { withoutFishPreexecNoise } from './fish-preexec-noise.ts';

const NOISE = '\x1b[?2004l\x1b]0;echo second /w/w/passive-capture\x07\x1b[30m\x1b[m\x0f\r';

describe('withoutFishPreexecNoise', () => {
  it.each([
    ['fish 3.6 before a command', `${NOISE}second\r\n`, 'second\r\n'],
    ['a title ended by ST', '\x1b[?2004l\x1b]0;t\x1b\\\x1b[m\rout', 'out'],
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
