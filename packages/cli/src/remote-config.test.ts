import { describe, expect, it } from 'vitest';
import { defaultConfig, type BirdConfig } from '@bird/core';
import { addRemote, noSuchRemote, planFileTarget, validateRemoteUri, type RemoteSpec } from './remote-config.ts';
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

describe('addRemote next to a broken entry', () => {
  it.each(['bad', 'BAD', 'Bad'])('refuses %j, which the broken entry "bad" already holds', (name) => {
    const error = failure(() => addRemote(defaultConfig(), spec({ name }), ['bad']));
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/already has a \[\[remotes\]\] entry named "bad", left out because it is broken; fix it, or drop it with `bird remote remove bad`/);
  });

  it('accepts another name', () => {
    expect(addRemote(defaultConfig(), spec({ name: 'good' }), ['bad']).remotes.map((r) => r.name)).toEqual(['good']);
  });
});

describe('noSuchRemote', () => {
  it.each([
    [['team', 'other'], 'nope', /^there is no remote named "nope"; `bird remote list` shows the configured ones\.$/],
    [['team', 'other'], 'TEAM', /^there is no remote named "TEAM" \(did you mean "team"\?\)\.$/],
    [[], 'x', /no remote named "x"/],
  ] as const)('among %j, %j', (names, name, message) => {
    expect(noSuchRemote(names, name).message).toMatch(message);
  });
});

describe('planFileTarget', () => {
  const folder = { kind: 'folder', readable: true, writable: true, parentExists: true } as const;
  const missing = { kind: 'missing', readable: false, writable: false, parentExists: true } as const;
  const rw = { uri: '/srv/lake', mode: 'read_write' } as const;
  const ro = { uri: '/srv/lake', mode: 'read_only' } as const;

  it.each([
    ['a writable folder, read_write', rw, false, folder, 'use'],
    ['a read-only folder, read_only', ro, false, { ...folder, writable: false }, 'use'],
    ['a missing folder whose parent exists, read_write', rw, false, missing, 'create'],
    ['a missing folder whose parent is missing, read_write', rw, false, { ...missing, parentExists: false }, /does not exist, nor does the folder it would go in \(a share not mounted\?\); create it with `mkdir -p \/srv\/lake`/],
    ['a missing folder, read_only', ro, false, missing, /does not exist, and a read-only remote is only read from, so its folder must be there; create it with `mkdir -p \/srv\/lake`/],
    ['a folder not writable, read_write', rw, false, { ...folder, writable: false }, /not writable by you, and push writes there; fix its permissions \(chmod u\+w \/srv\/lake\), or add it with --read-only/],
    ['a folder not readable', ro, false, { ...folder, readable: false }, /cannot be read by you; fix its permissions \(chmod u\+rx \/srv\/lake\)/],
    ['a plain file', rw, false, { ...folder, kind: 'file' }, /is not a folder/],
    ['a device or socket', rw, false, { ...folder, kind: 'other' }, /is not a folder/],
    ['a .duckdb file that is there', ro, true, { ...folder, kind: 'file', writable: false }, 'use'],
    ['a .duckdb file that is missing', rw, true, missing, /does not exist; check the path/],
    ['a .duckdb path that is a folder', rw, true, folder, /is not a file/],
    ['a .duckdb file not readable', rw, true, { ...folder, kind: 'file', readable: false }, /cannot be read by you/],
  ] as const)('%s', (_what, remote, database, facts, expected) => {
    const plan = planFileTarget(remote, database, facts);
    if (typeof expected === 'string') expect(plan).toEqual({ action: expected });
    else {
      expect(plan.action).toBe('refuse');
      expect(plan.action === 'refuse' && plan.reason).toMatch(expected);
    }
  });

  it('quotes a path with spaces and quotes in the command it suggests', () => {
    const plan = planFileTarget({ uri: "/mnt/o'neil lake", mode: 'read_only' }, false, missing);
    expect(plan.action === 'refuse' && plan.reason).toContain("`mkdir -p '/mnt/o'\\''neil lake'`");
  });
});
