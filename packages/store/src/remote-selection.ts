// Which remotes a connection attaches, and what a query that names one it did not attach is
// told. Pure: config.toml's remotes and the connection's options in, a plan or an error out.
import { remoteSchemaName, type DuckDBFailure, type RemoteConfig } from '@bird/core';
import { RemoteNotAttachedError, UnknownRemoteError, type RemoteAttachError } from './errors.ts';

export interface RemoteToAttach {
  readonly remote: RemoteConfig;
  /** Asked for by name: when it cannot be attached, the connect fails rather than warns. */
  readonly onDemand: boolean;
}

/**
 * The remotes to attach, in config.toml's order, each once: the auto-attach ones when
 * `autoAttach`, and those named in `onDemand` (`'all'`: every remote), auto-attach or not.
 *
 * @throws UnknownRemoteError for a name config.toml does not have.
 * @example
 * remotesToAttach(config.remotes, true, ['backup']) // team (auto-attach), then backup (asked for)
 */
export function remotesToAttach(remotes: readonly RemoteConfig[], autoAttach: boolean, onDemand: readonly string[] | 'all'): RemoteToAttach[] {
  const asked = new Set(onDemand === 'all' ? remotes.map((r) => r.name) : onDemand);
  for (const name of asked) if (!remotes.some((r) => r.name === name)) throw new UnknownRemoteError(name);
  return remotes.filter((r) => asked.has(r.name) || (autoAttach && r.auto_attach)).map((remote) => ({ remote, onDemand: asked.has(remote.name) }));
}

/**
 * Why a query failed (`failure`, its DuckDB error), when it failed for naming `remote_<name>` of a remote in config.toml
 * that this connection did not attach: kept for on-demand use, or its attach failed
 * (`failures`). Undefined for any other failure, which DuckDB's own message explains.
 */
export function notAttachedError(
  failure: DuckDBFailure,
  remotes: readonly RemoteConfig[],
  attached: readonly string[],
  failures: readonly RemoteAttachError[],
): RemoteNotAttachedError | undefined {
  if (failure.kind !== 'missing-schema') return undefined;
  const remote = remotes.find((r) => remoteSchemaName(r.name) === failure.schema);
  if (remote === undefined || attached.includes(remote.name)) return undefined;
  const attachFailure = failures.find((f) => f.remote === remote.name);
  if (attachFailure) return new RemoteNotAttachedError(remote.name, attachFailure);
  // An auto-attach remote missing without a failure: a connection made without remotes, on purpose.
  return remote.auto_attach ? undefined : new RemoteNotAttachedError(remote.name, 'on-demand');
}

/**
 * Names in a query's text that read every attached remote, or the catalog's list of them:
 * the `remotes_*()` macros, DuckDB's catalog functions and views (`duckdb_databases()`,
 * `information_schema`, `SHOW ALL TABLES`, `PRAGMA database_list`), and `query()` /
 * `query_table()`, whose SQL can be built from pieces no scan sees.
 */
const READS_EVERY_REMOTE = /(?<![\w$])(?:(?:remotes_\w*|duckdb_\w+|information_schema|pg_catalog|show|pragma|summarize)(?![\w$])|query(?:_table)?\s*\()/i;

/**
 * Which of `remotes` a query needs attached, judged from its text alone: those whose schema
 * (`remote_<name>`) it names, or all of them when it names something that reads every attached
 * remote (READS_EVERY_REMOTE). Quotes, strings and comments are not skipped: a name inside
 * them attaches too, so the scan errs towards attaching (a remote attached for nothing costs
 * time; one missing would cost a wrong answer). A name hidden from the text (built with `||`)
 * fails the query for want of its schema, and the connection then attaches and runs it again.
 *
 * @example
 * remotesNamedIn('SELECT * FROM remote_team.invocations', [team, backup]) // [team]
 * remotesNamedIn('SELECT 1', [team, backup])                              // []
 */
export function remotesNamedIn(sql: string, remotes: readonly RemoteConfig[]): RemoteConfig[] {
  if (READS_EVERY_REMOTE.test(sql)) return [...remotes];
  const named = new Set(sql.toLowerCase().match(/(?<![\w$])remote_\w+/g) ?? []);
  return remotes.filter((r) => named.has(schemaOf(r)));
}

/** `remote_<name>`, or '' for a name that makes no schema (it is never attached: its attach says why). */
function schemaOf(remote: RemoteConfig): string {
  try {
    return remoteSchemaName(remote.name);
  } catch {
    // a name config.toml should not hold: no query can name its schema
    return '';
  }
}
