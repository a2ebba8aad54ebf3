// The history index after a removal: folded without the removed commands when they are few,
// rebuilt from the store otherwise. Apart from remove.ts because it reaches the store, and
// remove.ts is also read by capture (forgotten.ts), which must never load DuckDB.
import { quoteLiteral, type BirdLayout } from '@bird/core';
import type { DuckDBConnection } from '@duckdb/node-api';
import { foldRemovalsIntoIndex, refreshHistoryIndex } from '../history-index-rebuild.ts';
import { removedRows } from './remove.ts';

/**
 * Past this many removed commands the history index is rebuilt from the store rather than
 * folded without them: their ids are checked in one list of literals (removedCommandIds).
 */
export const MAX_FOLDED_COMMANDS = 5_000;

/**
 * The ids of the commands of `invocations` (the relation stageRemoval was given) that this
 * removal takes, for the history index; null when they are more than MAX_FOLDED_COMMANDS, or when
 * one of them stays stored as a command this removal keeps (another series' with the same id):
 * the index drops every row of an id, so it is rebuilt instead.
 */
export async function removedCommandIds(connection: DuckDBConnection, invocations: string, limit = MAX_FOLDED_COMMANDS): Promise<string[] | null> {
  const removed = `SELECT DISTINCT CAST(i.id AS VARCHAR) AS id FROM ${invocations} i WHERE ${removedRows('invocations', 'i')} AND i.id IS NOT NULL`;
  const ids = (await connection.runAndReadAll(`${removed} LIMIT ${limit + 1}`)).getRows().map((r) => String(r[0]));
  if (ids.length > limit) return null;
  if (ids.length === 0) return ids;
  const list = ids.map(quoteLiteral).join(', ');
  const kept = await connection.runAndReadAll(`SELECT count(*) FROM ${invocations} i WHERE CAST(i.id AS VARCHAR) IN (${list}) AND NOT coalesce(${removedRows('invocations', 'i')}, false)`);
  return Number(kept.getRows()[0]?.[0] ?? 0) > 0 ? null : ids;
}

/**
 * The last step of a removal, once it is durable (the stale marker `marker` was left before it
 * began): the history index folded without the removed commands (`removed`; null when unknown),
 * which costs what reading the index does; or rebuilt from the store. A kill before either ends
 * leaves the marker, and the next reader rebuilds; so does a failed rebuild.
 */
export async function indexFollowsRemoval(layout: BirdLayout, marker: string, removed: readonly string[] | null): Promise<void> {
  if (removed !== null && (await foldRemovalsIntoIndex(layout, marker, removed))) return;
  await refreshHistoryIndex(layout);
}
