// What every mode's remove needs first: the forgotten commands as a table a query can join, and
// the sessions they leave empty. Written once here; each mode's remove.ts does its own writing.
import { TABLE_NAMES, quoteLiteral, type TableName } from '@bird/core';
import type { DuckDBConnection } from '@duckdb/node-api';

/** Ids in chunks, so that a retention pass of a million ids is not one statement of a million literals. */
const CHUNK = 1000;

/** A command to remove: its id, in its series (its client_id). */
export interface CommandRef {
  readonly id: string;
  readonly series: string;
}

/**
 * Makes `gone(id, series)`: the commands to remove, and `gone_sessions(session_id)`: the sessions
 * of them that no other stored command belongs to (`invocations`: a relation of every stored
 * command, with id, session_id and client_id).
 */
export async function stageRemoval(connection: DuckDBConnection, commands: readonly CommandRef[], invocations: string): Promise<void> {
  await connection.run('CREATE OR REPLACE TEMP TABLE gone (id VARCHAR NOT NULL, series VARCHAR NOT NULL, PRIMARY KEY (id, series))');
  for (let i = 0; i < commands.length; i += CHUNK) {
    const values = commands.slice(i, i + CHUNK).map((c) => `(${quoteLiteral(c.id)}, ${quoteLiteral(c.series)})`).join(', ');
    await connection.run(`INSERT OR IGNORE INTO gone VALUES ${values}`);
  }
  const isGone = (alias: string) => `EXISTS (SELECT 1 FROM gone g WHERE g.id = ${alias}.id AND g.series = ${alias}.client_id)`;
  await connection.run(`CREATE OR REPLACE TEMP TABLE gone_sessions AS
    SELECT DISTINCT session_id FROM ${invocations} i WHERE ${isGone('i')} AND session_id IS NOT NULL
    EXCEPT SELECT DISTINCT session_id FROM ${invocations} i WHERE NOT ${isGone('i')} AND session_id IS NOT NULL`);
}

/** `gone` and `gone_sessions` with nothing in them: nothing is removed. */
export const NO_COMMANDS = '(SELECT NULL::VARCHAR AS id, NULL::VARCHAR AS session_id, NULL::VARCHAR AS client_id WHERE false)';

/**
 * Which rows of `table` go: a condition over a row of it. `gone` holds no NULL, so a row with a
 * NULL key is simply not removed (`IN` is false or NULL for it, and callers keep a row unless the
 * condition is true).
 */
export function removedRows(table: TableName, alias: string): string {
  // Always qualified: inside the subqueries an unqualified \`id\` would be gone's own.
  const of = `${alias}.`;
  switch (table) {
    case 'invocations':
      return `EXISTS (SELECT 1 FROM gone g WHERE g.id = ${of}id AND g.series = ${of}client_id)`;
    case 'sessions':
      return `${of}session_id IN (SELECT session_id FROM gone_sessions)`;
    case 'outputs':
    case 'events':
      // No client_id of their own: they go with their command's id (ids are unique across series).
      return `${of}invocation_id IN (SELECT id FROM gone)`;
  }
}

export const emptyCounts = (): Record<TableName, number> => Object.fromEntries(TABLE_NAMES.map((t) => [t, 0])) as Record<TableName, number>;
