import { forgotten, hasTombstones, type BirdLayout } from '@bird/core';
import { markIndexStale } from '@bird/history-index';
import { refreshHistoryIndex } from '../history-index-rebuild.ts';
import type { IngestRowsResult, RowGroup } from './storage-mode.ts';

/**
 * What every mode's ingestRows does around its own write: mark the history index stale before any
 * row lands (so a run killed after writing is caught up by the next reader), rebuild it after.
 */
export async function ingestRowsWith(layout: BirdLayout, planned: readonly RowGroup[], write: (groups: readonly RowGroup[]) => Promise<void>): Promise<IngestRowsResult> {
  // A forgotten command is not brought back by an import of a history that still holds it
  // (by its id, or, for a range forget of its series, by when it started).
  const gone = hasTombstones(layout) ? forgotten(layout) : null;
  const startOf = (r: Record<string, unknown>) => (typeof r.timestamp === 'bigint' ? r.timestamp : null);
  const groups = gone === null ? planned : withoutForgottenRows(planned, (r) => gone.has(String(r.client_id), String(r.id), startOf(r)));
  const written = groups.reduce((n, g) => n + g.rows.length, 0);
  if (written === 0) return { written: 0 };
  const indexed = groups.some((g) => g.table.name === 'invocations' && g.rows.length > 0);
  if (indexed) markIndexStale(layout.historyIndex);
  await write(groups.filter((g) => g.rows.length > 0));
  if (!indexed) return { written };
  const problem = await refreshHistoryIndex(layout);
  return problem ? { written, warning: problem } : { written };
}

/** `groups` without the commands `isForgotten` takes, nor the sessions of theirs that no other command of them uses. */
function withoutForgottenRows(groups: readonly RowGroup[], isForgotten: (row: Record<string, unknown>) => boolean): RowGroup[] {
  const kept = new Set<unknown>();
  const left = new Set<unknown>();
  const out = groups.map((g) => {
    if (g.table.name !== 'invocations') return g;
    const rows = g.rows.filter((r) => (isForgotten(r) ? (left.add(r.session_id), false) : (kept.add(r.session_id), true)));
    return { ...g, rows };
  });
  return out.map((g) => (g.table.name === 'sessions' ? { ...g, rows: g.rows.filter((r) => !left.has(r.session_id) || kept.has(r.session_id)) } : g));
}
