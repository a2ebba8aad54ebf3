import { describe, expect, it } from 'vitest';
import { clientIdChange } from './client-id-change.ts';

describe('clientIdChange', () => {
  it.each([
    ['me@old', 'me@new', 'client id: me@old → me@new; rows captured before keep me@old and stay in its series.'],
    ['me@laptop', 'me@laptop', 'client id: me@laptop (unchanged).'],
    [undefined, 'me@laptop', 'client id: me@laptop, now in config.toml.'],
  ])('%s → %s', (before, after, text) => {
    expect(clientIdChange(before, after)).toBe(text);
  });
});
