// What every mode's remove needs first: the forgotten commands as a table a query can join, and
// the sessions they leave empty. Written once here; each mode's remove.ts does its own writing.
import { TABLE_NAMES, quoteLiteral, type TableName } from '@bird/core';
import type { DuckDBConnection } from '@duckdb/node-api';

/** Ids in chunks, so that a retention pass of a million ids is not one statement of a million literals. */
const CHUNK = 1000;

/**
 * Makes `gone(id)`: the commands to remove, and `gone_sessions(session_id)`: the sessions of them
 * that no other stored command belongs to (`invocations`: a relation of every stored command).
 */
export async function stageRemoval(connection: DuckDBConnection, ids: readonly string[], invocations: string): Promise<void> {
  await connection.run('CREATE OR REPLACE TEMP TABLE gone (id VARCHAR PRIMARY KEY)');
  for (let i = 0; i < ids.length; i += CHUNK) {
    const values = [...new Set(ids.slice(i, i + CHUNK))].map((id) => `(${quoteLiteral(id)})`).join(', ');
    await connection.run(`INSERT OR IGNORE INTO gone VALUES ${values}`);
  }
  await connection.run(`CREATE OR REPLACE TEMP TABLE gone_sessions AS
    SELECT DISTINCT session_id FROM ${invocations} i WHERE i.id IN (SELECT id FROM gone) AND session_id IS NOT NULL
    EXCEPT SELECT DISTINCT session_id FROM ${invocations} i WHERE NOT EXISTS (SELECT 1 FROM gone g WHERE g.id = i.id) AND session_id IS NOT NULL`);
}

/**
 * Which rows of `table` go: a condition over a row of it. `gone` holds no NULL, so a row with a
 * NULL key is simply not removed (`IN` is false or NULL for it, and callers keep a row unless the
 * condition is true).
 */
export function removedRows(table: TableName, alias = ''): string {
  const of = alias ? `${alias}.` : '';
  switch (table) {
    case 'invocations':
      return `${of}id IN (SELECT id FROM gone)`;
    case 'sessions':
      return `${of}session_id IN (SELECT session_id FROM gone_sessions)`;
    case 'outputs':
    case 'events':
      return `${of}invocation_id IN (SELECT id FROM gone)`;
  }
}

export const emptyCounts = (): Record<TableName, number> => Object.fromEntries(TABLE_NAMES.map((t) => [t, 0])) as Record<TableName, number>;
