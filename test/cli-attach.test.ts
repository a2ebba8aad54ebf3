// `bird sql --attach NAME`: a remote added with --no-auto-attach, read on demand through the
// built bundle; without --attach, the query is told in one sentence how to ask for it.
import { rmSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { invocation, tempDir, writeLake } from '../packages/store/src/testing/fixtures.ts';
import { at, buildBundles, expectOneLineError, sandboxFactory } from './cli-helpers.ts';

beforeAll(() => buildBundles());
const sandbox = sandboxFactory();

describe('a file remote kept for on demand (--no-auto-attach)', () => {
  const s = sandbox();
  beforeAll(() => {
    s.capture({ cmd: 'ls', exit: 0, startUs: at(0) });
    const team = tempDir('bird-attach-team-');
    const backup = tempDir('bird-attach-backup-');
    writeLake(team, 'invocations', 'bob@laptop', '2024-06-01', [invocation({ cmd: 'team one' })]);
    writeLake(backup, 'invocations', 'old@box', '2024-06-01', [invocation({ cmd: 'backup one' }), invocation({ cmd: 'backup two' })]);
    expect(s.bird(['remote', 'add', 'team', '--type', 'file', '--uri', team, '--read-only']).code).toBe(0);
    expect(s.bird(['remote', 'add', 'backup', '--type', 'file', '--uri', backup, '--read-only', '--no-auto-attach']).code).toBe(0);
  });
  const csv = (...args: string[]) => {
    const run = s.bird(['sql', '--format', 'csv', ...args]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return run.stdout;
  };

  it('is read with --attach, and joins remotes_invocations() for that query', () => {
    expect(csv('--attach', 'backup', 'SELECT cmd, _source FROM remote_backup.invocations ORDER BY cmd')).toBe('cmd,_source\nbackup one,backup\nbackup two,backup\n');
    expect(csv('--attach', 'backup', 'SELECT _source, count(*) AS n FROM remotes_invocations() GROUP BY 1 ORDER BY 1')).toBe('_source,n\nbackup,2\nteam,1\n');
    expect(csv('SELECT _source, count(*) AS n FROM remotes_invocations() GROUP BY 1 ORDER BY 1')).toBe('_source,n\nteam,1\n');
  });

  it('takes --attach all, and a name given twice or of an auto-attach remote', () => {
    expect(csv('--attach', 'all', 'SELECT count(*) AS n FROM remotes_invocations()')).toBe('n\n3\n');
    expect(csv('--attach', 'backup', '--attach', 'team', '--attach', 'backup', 'SELECT count(*) AS n FROM remotes_invocations()')).toBe('n\n3\n');
  });

  it('without --attach, says in one sentence that it is not attached and how to attach it (exit 1)', () => {
    expectOneLineError(
      s.bird(['sql', 'SELECT cmd FROM remote_backup.invocations']),
      1,
      /^bird: remote backup is not attached \(auto_attach = false in config\.toml\); run the query with `bird sql --attach backup`\.$/,
    );
  });

  it('refuses a name that is not a configured remote as a usage error naming bird remote list (exit 2)', () => {
    expectOneLineError(s.bird(['sql', '--attach', 'nope', 'SELECT 1']), 2, /^bird: there is no remote named "nope" to attach; `bird remote list` shows the configured ones\.$/);
    expectOneLineError(s.bird(['sql', 'SELECT 1', '--attach']), 2, /--attach needs a value/);
  });
});

it('--attach fails in one sentence when the remote asked for cannot be reached (exit 1)', () => {
  const s = sandbox();
  const lake = tempDir('bird-attach-gone-');
  s.capture({ cmd: 'ls', exit: 0, startUs: at(0) });
  expect(s.bird(['remote', 'add', 'usb', '--type', 'file', '--uri', lake, '--read-only', '--no-auto-attach']).code).toBe(0);
  s.bird(['sql', 'SELECT 1']); // the catalog exists; now the share goes away
  rmSync(lake, { recursive: true });
  expectOneLineError(s.bird(['sql', '--attach', 'usb', 'SELECT 1']), 1, /^bird: remote usb not attached: .*bird-attach-gone-\S* is not reachable \(ENOENT\)\.$/);
});
