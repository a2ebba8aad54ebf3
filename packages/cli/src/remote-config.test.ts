import { describe, expect, it } from 'vitest';
import { defaultConfig, type BirdConfig } from '@bird/core';
import { addRemote, removeRemote, validateRemoteUri, type RemoteSpec } from './remote-config.ts';
import { failure } from './testing/expect-failure.ts';

const spec = (over: Partial<RemoteSpec> = {}): RemoteSpec => ({
  name: 'team',
  type: 'file',
  uri: '/srv/bird',
  readOnly: false,
  autoAttach: true,
  ...over,
});


describe('validateRemoteUri', () => {
  it.each([
    ['file', '/srv/bird', '/srv/bird'],
    ['file', '/srv/bird/', '/srv/bird'],
    ['file', '/', '/'],
    ['file', "/srv/o'neil data", "/srv/o'neil data"],
    ['file', 'file:///srv/bird', '/srv/bird'],
    ['file', 'relative/dir', `${process.cwd()}/relative/dir`],
    ['s3', 's3://my-bucket', 's3://my-bucket'],
    ['s3', 's3://my.bucket/team/bird/', 's3://my.bucket/team/bird'],
  ] as const)('%s %j → %j', (type, uri, expected) => {
    expect(validateRemoteUri(type, uri)).toBe(expected);
  });

  // The cases of what is refused live with the parser (packages/remote/src/remote-uri.test.ts);
  // here: that its refusal is a usage error.
  it.each([
    ['file', ''],
    ['file', 'file://host/srv/bird'],
    ['s3', 's3://UPPER'],
  ] as const)('%s %j is refused', (type, uri) => {
    expect(failure(() => validateRemoteUri(type, uri)).exitCode).toBe(2);
  });
});

describe('addRemote', () => {
  const base: BirdConfig = defaultConfig();

  it('appends a file remote with the defaults', () => {
    expect(addRemote(base, spec()).remotes).toEqual([{ name: 'team', type: 'file', uri: '/srv/bird', mode: 'read_write', auto_attach: true }]);
  });

  it('keeps s3 settings and the flags', () => {
    const config = addRemote(
      base,
      spec({ type: 's3', uri: 's3://bkt/p', endpoint: 'http://127.0.0.1:9000', region: 'eu-west-1', readOnly: true, autoAttach: false }),
    );
    expect(config.remotes[0]).toEqual({
      name: 'team',
      type: 's3',
      uri: 's3://bkt/p',
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-west-1',
      mode: 'read_only',
      auto_attach: false,
    });
  });

  it('does not change the config it was given', () => {
    addRemote(base, spec());
    expect(base.remotes).toEqual([]);
  });

  it.each(['', 'a b', 'x;drop', "it's", 'say"hi"', '..', 'a..b', '1team', 'x'.repeat(200), 'tab\tx', 'ümlaut'])(
    'refuses the name %j with a usage error',
    (name) => {
      const error = failure(() => addRemote(base, spec({ name })));
      expect(error.exitCode).toBe(2);
      expect(error.message).toMatch(/^remote name .* is not allowed/);
    },
  );

  it.each(['placeholder', 'Placeholder'])('refuses the reserved name %j in the same sentence as the store', (name) => {
    const error = failure(() => addRemote(base, spec({ name })));
    expect(error.exitCode).toBe(2);
    const lower = name.toLowerCase();
    expect(error.message).toBe(
      `remote name ${JSON.stringify(name)} is reserved by BIRD (its schemas cached_${lower} and remote_${lower} always exist); choose another name.`,
    );
  });

  it.each([
    ['team', /already exists/],
    ['Team', /clashes with the remote "team"/],
    ['my-team', null],
  ])('with "team" present, %j → %s', (name, expected) => {
    const withTeam = addRemote(base, spec());
    if (expected === null) {
      expect(addRemote(withTeam, spec({ name })).remotes.map((r) => r.name)).toEqual(['team', 'my-team']);
    } else {
      expect(failure(() => addRemote(withTeam, spec({ name }))).message).toMatch(expected);
    }
  });

  it('refuses my_team next to my-team', () => {
    const config = addRemote(base, spec({ name: 'my-team' }));
    const error = failure(() => addRemote(config, spec({ name: 'my_team' })));
    expect(error.message).toMatch(/clashes with the remote "my-team".*cached_my_team/);
    expect(error.exitCode).toBe(2);
  });

  it.each([
    [{ endpoint: 'http://x' }, /only for --type s3/],
    [{ type: 's3', uri: 's3://bkt', endpoint: 'ftp://x' }, /http:\/\/ or https:\/\//],
    [{ type: 's3', uri: 's3://bkt', endpoint: 'not a url' }, /must be a URL/],
    [{ type: 's3', uri: 's3://bkt', region: 'us east' }, /region name/],
  ] as const)('refuses %j', (over, message) => {
    expect(failure(() => addRemote(base, spec(over as Partial<RemoteSpec>))).message).toMatch(message);
  });
});

describe('removeRemote', () => {
  const config = addRemote(addRemote(defaultConfig(), spec()), spec({ name: 'other', uri: '/srv/other' }));

  it('removes exactly the named remote', () => {
    expect(removeRemote(config, 'team').remotes.map((r) => r.name)).toEqual(['other']);
  });

  it.each([
    ['nope', /no remote named "nope"; `bird remote list`/],
    ['TEAM', /did you mean "team"/],
  ])('fails for %j', (name, message) => {
    expect(failure(() => removeRemote(config, name)).message).toMatch(message);
  });
});
