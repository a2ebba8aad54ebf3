// `bird help sql`: what a query can name. The columns come from core's table definitions, the
// one place they are written down, so this text cannot drift from the store.
import { SQL_TYPES, TABLE_NAMES, TABLES } from '@bird/core';

export function sqlHelp(): string {
  const tables = TABLE_NAMES.map((name) => {
    const columns = TABLES[name].columns.map((c) => `${c.name} ${SQL_TYPES[c.kind]}${c.nullable ? '' : ' NOT NULL'}`);
    return `  ${name}(${columns.join(', ')})`;
  });
  return `
Relations (each of ${TABLE_NAMES.join(', ')}):
  main.<table>        everything stored here: this machine's rows and every remote pulled (_source says which)
  local.<table>       rows captured or imported on this machine (the only ones without _source)
  caches.<table>      the rows pulled from all remotes; cached_<name>.<table> those of one remote
  remote_<name>.<table>  a remote read live: the auto_attach ones, and those named by --attach NAME
Macros: remotes_invocations(), remotes_sessions(), remotes_outputs(), remotes_events() (every
  attached remote at once), cwd_invocations() (the commands run in this directory and below),
  invocations_with_output() (each command with stream and output: what it printed, as text),
  output_text(storage_type, storage_ref, content_hash) (an outputs row's text, from any relation).

Tables and their columns (every relation above but local.<table> adds _source VARCHAR):
${tables.join('\n')}

Example:
  bird sql "SELECT cmd, count(*) AS n FROM main.invocations GROUP BY cmd ORDER BY n DESC LIMIT 10"
  bird sql "SELECT cmd FROM invocations_with_output() WHERE output LIKE '%refused%'"
`;
}
