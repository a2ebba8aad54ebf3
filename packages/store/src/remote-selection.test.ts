import { describe, expect, it } from 'vitest';
import { classifyDuckDBError } from '@bird/core';
import { RemoteAttachError, RemoteNotAttachedError, UnknownRemoteError } from './errors.ts';
import { notAttachedError, remotesNamedIn, remotesToAttach } from './remote-selection.ts';
import { fileRemote } from './testing/fixtures.ts';

const TEAM = fileRemote('team', '/lakes/team');
const BACKUP = fileRemote('backup', '/lakes/backup', { auto_attach: false });
const OLD = fileRemote('old-lake', '/lakes/old', { auto_attach: false });
const REMOTES = [TEAM, BACKUP, OLD];

describe('remotesToAttach', () => {
  it.each<[string, boolean, readonly string[] | 'all', [string, boolean][]]>([
    ['the auto-attach ones', true, [], [['team', false]]],
    ['none on a connection without remotes', false, [], []],
    ['one asked for beside them', true, ['backup'], [['team', false], ['backup', true]]],
    ['one asked for alone', false, ['old-lake'], [['old-lake', true]]],
    ['an auto-attach one asked for, once', true, ['team', 'team'], [['team', true]]],
    ['all of them, in config order', true, 'all', [['team', true], ['backup', true], ['old-lake', true]]],
  ])('%s', (_, autoAttach, onDemand, expected) => {
    expect(remotesToAttach(REMOTES, autoAttach, onDemand).map((r) => [r.remote.name, r.onDemand])).toEqual(expected);
  });

  it('refuses a name config.toml does not have, saying where the names are', () => {
    expect(() => remotesToAttach(REMOTES, true, ['backup', 'Backup'])).toThrow(UnknownRemoteError);
    expect(() => remotesToAttach(REMOTES, true, ['nope'])).toThrow('there is no remote named "nope" to attach; `bird remote list` shows the configured ones.');
    expect(() => remotesToAttach([], false, ['x'])).toThrow(expect.objectContaining({ exitCode: 2, remote: 'x' }));
  });
});

describe('notAttachedError', () => {
  const missing = (schema: string) => classifyDuckDBError(`Catalog Error: Table with name "${schema}.invocations" does not exist because schema "${schema}" does not exist.`);

  it('tells an on-demand remote to be attached with --attach, in one sentence', () => {
    const error = notAttachedError(missing('remote_old_lake'), REMOTES, ['team'], []);
    expect(error).toBeInstanceOf(RemoteNotAttachedError);
    expect(error?.message).toBe('remote old-lake is not attached (auto_attach = false in config.toml); run the query with `bird sql --attach old-lake`.');
    expect(error?.exitCode).toBe(1);
  });

  it('gives the reason an auto-attach remote failed to attach', () => {
    const failure = new RemoteAttachError('team', '/lakes/team is not reachable (ENOENT).');
    expect(notAttachedError(missing('remote_team'), REMOTES, [], [failure])?.message).toBe('remote team not attached: /lakes/team is not reachable (ENOENT), so the query cannot read it.');
  });

  it.each<[string, ReturnType<typeof classifyDuckDBError>, string[]]>([
    ['an attached remote (the table is what is missing)', missing('remote_backup'), ['team', 'backup']],
    ['a schema no remote has', missing('remote_other'), []],
    ['an auto-attach remote on a connection made without remotes', missing('remote_team'), []],
    ['another failure', classifyDuckDBError('Parser Error: syntax error at or near "SELEC"'), []],
  ])('leaves DuckDB\'s message for %s', (_, failure, attached) => {
    expect(notAttachedError(failure, REMOTES, attached, [])).toBeUndefined();
  });
});

describe('remotesNamedIn', () => {
  const NAMED = [TEAM, OLD];
  it.each<[string, string, string[]]>([
    ['none for a query that names no remote', 'SELECT 1', []],
    ['none for main, local and the caches', 'SELECT * FROM main.invocations JOIN cached_team.sessions USING (session_id)', []],
    ['the one a schema names', 'SELECT cmd FROM remote_team.invocations', ['team']],
    ['a name with a dash, by its schema', 'SELECT * FROM remote_old_lake.events', ['old-lake']],
    ['in any case, quoted or not, or as a catalog', 'SELECT * FROM "REMOTE_TEAM".main.invocations', ['team']],
    ['both when both are named', 'SELECT * FROM remote_old_lake.events, remote_team.sessions', ['team', 'old-lake']],
    ['none for a longer name that only starts like one', 'SELECT * FROM remote_team_b.invocations', []],
    ['none for the placeholder', 'SELECT * FROM remote_placeholder.invocations', []],
    ['even inside a string or a comment (errs towards attaching)', "SELECT 'remote_team' -- remote_old_lake", ['team', 'old-lake']],
    ['all for a remotes_*() macro', 'SELECT count(*) FROM remotes_invocations()', ['team', 'old-lake']],
    ['all for the catalog functions', 'SELECT database_name FROM duckdb_databases()', ['team', 'old-lake']],
    ['all for information_schema', 'SELECT * FROM information_schema.tables', ['team', 'old-lake']],
    ['all for SHOW and PRAGMA', 'SHOW ALL TABLES', ['team', 'old-lake']],
    ['all for PRAGMA', 'PRAGMA database_list', ['team', 'old-lake']],
    ['all for query(), whose SQL may be built', "SELECT * FROM query('SELECT 1 FROM remote_' || 'x.invocations')", ['team', 'old-lake']],
    ['none for a column that merely contains the words', 'SELECT showcase, my_query FROM main.invocations', []],
  ])('%s', (_, sql, expected) => {
    expect(remotesNamedIn(sql, NAMED).map((r) => r.name)).toEqual(expected);
  });
});
