import { forgotten, hasTombstones, type BirdLayout } from '@bird/core';
import { markIndexStale } from '@bird/history-index';
import { refreshHistoryIndex } from '../history-index-rebuild.ts';
import type { IngestRowsResult, RowGroup } from './storage-mode.ts';

/**
 * What every mode's ingestRows does around its own write: mark the history index stale before any
 * row lands (so a run killed after writing is caught up by the next reader), rebuild it after.
 */
export async function ingestRowsWith(layout: BirdLayout, planned: readonly RowGroup[], write: (groups: readonly RowGroup[]) => Promise<void>): Promise<IngestRowsResult> {
  // A forgotten command is not brought back by an import of a history that still holds it.
  const gone = hasTombstones(layout) ? forgotten(layout) : null;
  const groups = gone === null ? planned : planned.map((g) => (g.table.name === 'invocations' ? { ...g, rows: g.rows.filter((r) => !gone.has(String(r.client_id), String(r.id))) } : g));
  const written = groups.reduce((n, g) => n + g.rows.length, 0);
  if (written === 0) return { written: 0 };
  const indexed = groups.some((g) => g.table.name === 'invocations' && g.rows.length > 0);
  if (indexed) markIndexStale(layout.historyIndex);
  await write(groups.filter((g) => g.rows.length > 0));
  if (!indexed) return { written };
  const problem = await refreshHistoryIndex(layout);
  return problem ? { written, warning: problem } : { written };
}
