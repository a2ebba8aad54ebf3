import { describe, expect, it } from 'vitest';
import { DEFAULT_IGNORE, DEFAULT_OUTPUT_IGNORE } from './config.ts';
import { decideCapture, globMatches, outputIgnored } from './privacy.ts';
import { REDACTED } from './secret-patterns.ts';

describe('globMatches', () => {
  it.each([
    ['ls', 'ls', true],
    ['ls', 'ls -la', false],
    ['ls', 'xls', false],
    ['ls *', 'ls -la', true],
    ['ls *', 'ls', false],
    ['*', '', true],
    ['*', 'anything at all', true],
    ['*secret*', 'cat my-secret-file', true],
    ['git ?', 'git x', true],
    ['git ?', 'git xy', false],
    ['git ?', 'git ', false],
    ['a*b', 'a\nmiddle\nb', true], // `*` spans the lines of a multi-line command
    ['a?b', 'a\nb', true],
    // Regex metacharacters are literal.
    ['1+1', '1+1', true],
    ['1+1', '11', false],
    ['a.b', 'axb', false],
    ['a.b', 'a.b', true],
    ['(x)|[y]', '(x)|[y]', true],
    ['(x)|[y]', 'x', false],
    ['^$\\{}', '^$\\{}', true],
    ['cost $5', 'cost $5', true],
    // A `*` gives back what a later literal needs, however often.
    ['*ab', 'aab', true],
    ['a*b*c', 'axxbyybzc', true],
    ['a*b*c', 'axxbyyb', false],
    ['*a*a*a*', 'aaa', true],
    ['*a*a*a*', 'aa', false],
    ['**', '', true],
    ['?', '', false],
    ['', '', true],
    ['', 'x', false],
    ['*x', 'yyyy', false],
  ])('%j matches %j: %s', (glob, text, expected) => {
    expect(globMatches(glob, text)).toBe(expected);
  });

  it('agrees with the same glob as a regular expression on many generated cases', () => {
    const alphabet = ['a', 'b', '*', '?'];
    let seed = 7;
    const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let i = 0; i < 3000; i++) {
      const glob = Array.from({ length: next(7) }, () => alphabet[next(4)]).join('');
      const text = Array.from({ length: next(8) }, () => 'ab'[next(2)]).join('');
      const re = new RegExp(`^${glob.replaceAll('*', '[\\s\\S]*').replaceAll('?', '[\\s\\S]')}$`);
      expect(globMatches(glob, text), `${glob} / ${text}`).toBe(re.test(text));
    }
  });
});

describe('decideCapture', () => {
  const rules = { ignore: DEFAULT_IGNORE };
  const env = {};

  it.each([
    ['a plain command', 'ls -la', {}, { capture: true, cmd: 'ls -la' }],
    ['a command with trailing space, kept as typed', 'ls ', {}, { capture: true, cmd: 'ls ' }],
    ['a leading space', ' ls -la', {}, { capture: false, reason: 'leading-space' }],
    ['several leading spaces', '   rm -rf /tmp/x', {}, { capture: false, reason: 'leading-space' }],
    ['BIRD_DISABLED=1', 'ls', { BIRD_DISABLED: '1' }, { capture: false, reason: 'disabled' }],
    ['BIRD_DISABLED=0 still captures', 'ls', { BIRD_DISABLED: '0' }, { capture: true, cmd: 'ls' }],
    ['BIRD_DISABLED empty still captures', 'ls', { BIRD_DISABLED: '' }, { capture: true, cmd: 'ls' }],
    ['an empty command', '', {}, { capture: false, reason: 'empty' }],
    ['a command of tabs and newlines', '\t\n', {}, { capture: false, reason: 'empty' }],
    ['exit', 'exit', {}, { capture: false, reason: 'ignored' }],
    ['bird itself', 'bird history -n 5', {}, { capture: false, reason: 'ignored' }],
    ['bird-sync', 'bird-sync', {}, { capture: false, reason: 'ignored' }],
    ['bird-capture', 'bird-capture --cmd x', {}, { capture: false, reason: 'ignored' }],
    ['an ignored command with a trailing newline', 'exit\n', {}, { capture: false, reason: 'ignored' }],
    ['a command that only starts like bird', 'birdwatch --today', {}, { capture: true, cmd: 'birdwatch --today' }],
    ['bird through npx', 'npx bird history', {}, { capture: false, reason: 'ignored' }],
    ['bird timed', 'time bird history', {}, { capture: false, reason: 'ignored' }],
    ['bird by the path to its script', '~/src/bird/packages/cli/bin/bird.cjs sql "SELECT 1"', {}, { capture: false, reason: 'ignored' }],
    ['bird-sync through node', 'node packages/sync-worker/bin/bird-sync.cjs push', {}, { capture: false, reason: 'ignored' }],
    ['a command that mentions bird', 'echo bird history', {}, { capture: true, cmd: 'echo bird history' }],
  ])('%s', (_name, cmd, extraEnv, expected) => {
    expect(decideCapture(cmd, { ...env, ...extraEnv }, rules)).toEqual(expected);
  });

  it('checks BIRD_DISABLED before anything else', () => {
    expect(decideCapture(' exit', { BIRD_DISABLED: '1' }, rules)).toEqual({ capture: false, reason: 'disabled' });
  });

  it('applies user ignore globs to the trimmed command', () => {
    const custom = { ignore: ['cd *', '*--insecure*'] };
    expect(decideCapture('cd /tmp', env, custom)).toEqual({ capture: false, reason: 'ignored' });
    expect(decideCapture('curl --insecure https://x', env, custom)).toEqual({ capture: false, reason: 'ignored' });
    expect(decideCapture('exit', env, custom)).toEqual({ capture: true, cmd: 'exit' });
  });

  it('without bird in the ignore list, bird is recorded however it is started', () => {
    const none = { ignore: ['exit'] };
    for (const cmd of ['bird history', 'npx bird history', 'time bird history']) expect(decideCapture(cmd, env, none)).toEqual({ capture: true, cmd });
  });

  it('a user pattern applies to the program however it is started', () => {
    const custom = { ignore: ['ls *'] };
    expect(decideCapture('sudo ls /root', env, custom)).toEqual({ capture: false, reason: 'ignored' });
    expect(decideCapture('time ls -la', env, custom)).toEqual({ capture: false, reason: 'ignored' });
    expect(decideCapture('echo ls -la', env, custom)).toEqual({ capture: true, cmd: 'echo ls -la' });
  });

  it('redacts secrets from a captured command', () => {
    expect(decideCapture('GITHUB_TOKEN=abc123 gh pr list', env, rules)).toEqual({
      capture: true,
      cmd: `GITHUB_TOKEN=${REDACTED} gh pr list`,
    });
  });

  it('drops an ignored command whole instead of redacting it', () => {
    const decision = decideCapture('vault login --token=abc', env, { ignore: ['vault *'] });
    expect(decision).toEqual({ capture: false, reason: 'ignored' });
  });
});

describe('outputIgnored', () => {
  it.each<[string, boolean]>([
    ['printenv', true],
    ['printenv HOME', true],
    ['env', true],
    ['cat prod.env', true],
    ['gh auth token', true],
    ['aws configure get aws_secret_access_key', true],
    ['sudo gpg --export-secret-keys', true],
    ['echo env', false],
    ['cat README.md', false],
  ])('%s → %s with the default patterns', (cmd, ignored) => {
    expect(outputIgnored(cmd, DEFAULT_OUTPUT_IGNORE)).toBe(ignored);
  });
});
