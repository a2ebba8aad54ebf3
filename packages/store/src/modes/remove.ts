// What every mode's remove needs first: the forgotten commands as a table a query can join, and
// the sessions they leave empty. Written once here; each mode's remove.ts does its own writing.
import { TABLE_NAMES, instantMicros, quoteLiteral, type TableName } from '@bird/core';
import type { DuckDBConnection } from '@duckdb/node-api';

/** Ids in chunks, so that a retention pass of a million ids is not one statement of a million literals. */
const CHUNK = 1000;

/** A command to remove: its id, in its series (its client_id). */
export interface CommandRef {
  readonly id: string;
  readonly series: string;
}

/**
 * Every command of one series that started before an instant (a range forget: core's
 * RangeTombstone is one).
 */
export interface SeriesCutoff {
  readonly series: string;
  /** ISO 8601, UTC, to the millisecond (core's checkInstant). */
  readonly before: string;
}

/**
 * Makes `gone(id, series)`: the commands to remove by id; `gone_before(series, before)`: the
 * series to remove every command of that started before an instant; `gone_ids(id)`: the ids of
 * both, for what hangs off a command; and `gone_sessions(session_id)`: the sessions of them that
 * no other stored command belongs to (`invocations`: a relation of every stored command, with
 * id, session_id, client_id and timestamp; only its commands are found by a range).
 */
export async function stageRemoval(connection: DuckDBConnection, commands: readonly CommandRef[], invocations: string, ranges: readonly SeriesCutoff[] = []): Promise<void> {
  await connection.run('CREATE OR REPLACE TEMP TABLE gone (id VARCHAR NOT NULL, series VARCHAR NOT NULL, PRIMARY KEY (id, series))');
  for (let i = 0; i < commands.length; i += CHUNK) {
    const values = commands.slice(i, i + CHUNK).map((c) => `(${quoteLiteral(c.id)}, ${quoteLiteral(c.series)})`).join(', ');
    await connection.run(`INSERT OR IGNORE INTO gone VALUES ${values}`);
  }
  await connection.run('CREATE OR REPLACE TEMP TABLE gone_before (series VARCHAR NOT NULL PRIMARY KEY, before TIMESTAMPTZ NOT NULL)');
  const furthest = new Map<string, bigint>();
  for (const r of ranges) {
    const us = instantMicros(r.before);
    if ((furthest.get(r.series) ?? us - 1n) < us) furthest.set(r.series, us);
  }
  const cutoffs = [...furthest].map(([series, us]) => `(${quoteLiteral(series)}, make_timestamptz(${us}::BIGINT))`);
  for (let i = 0; i < cutoffs.length; i += CHUNK) await connection.run(`INSERT INTO gone_before VALUES ${cutoffs.slice(i, i + CHUNK).join(', ')}`);
  const inRange = furthest.size === 0 ? '' : ` UNION SELECT i.id FROM ${invocations} i WHERE ${beforeCutoff('i')} AND i.id IS NOT NULL`;
  // What hangs off a command goes by its id alone, so an id stored here as another series'
  // command is not one of them: a teammate's segment naming it must not take that command's
  // outputs. An id stored as no command stays (its command went in a removal cut short).
  const notAnotherSeries = `NOT EXISTS (SELECT 1 FROM ${invocations} i WHERE i.id = g.id AND i.client_id IS DISTINCT FROM g.series)`;
  await connection.run(`CREATE OR REPLACE TEMP TABLE gone_ids AS SELECT g.id FROM gone g WHERE ${notAnotherSeries}${inRange}`);
  const isGone = (alias: string) => removedRows('invocations', alias);
  await connection.run(`CREATE OR REPLACE TEMP TABLE gone_sessions AS
    SELECT DISTINCT session_id FROM ${invocations} i WHERE ${isGone('i')} AND session_id IS NOT NULL
    EXCEPT SELECT DISTINCT session_id FROM ${invocations} i WHERE NOT ${isGone('i')} AND session_id IS NOT NULL`);
}

/** `gone` and `gone_sessions` with nothing in them: nothing is removed. */
export const NO_COMMANDS = '(SELECT NULL::VARCHAR AS id, NULL::VARCHAR AS session_id, NULL::VARCHAR AS client_id, NULL::TIMESTAMPTZ AS "timestamp" WHERE false)';

/** A command row (of `alias`) that a range forget of its series takes. */
function beforeCutoff(alias: string): string {
  return `EXISTS (SELECT 1 FROM gone_before b WHERE b.series = ${alias}.client_id AND ${alias}."timestamp" < b.before)`;
}

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
      return `(EXISTS (SELECT 1 FROM gone g WHERE g.id = ${of}id AND g.series = ${of}client_id) OR ${beforeCutoff(alias)})`;
    case 'sessions':
      return `${of}session_id IN (SELECT session_id FROM gone_sessions)`;
    case 'outputs':
    case 'events':
      // No client_id of their own: they go with their command's id (ids are unique across series).
      return `${of}invocation_id IN (SELECT id FROM gone_ids)`;
  }
}

export const emptyCounts = (): Record<TableName, number> => Object.fromEntries(TABLE_NAMES.map((t) => [t, 0])) as Record<TableName, number>;
