import type { BirdLayout } from '@bird/core';
import { markIndexStale } from '@bird/history-index';
import { refreshHistoryIndex } from '../history-index-rebuild.ts';
import type { IngestRowsResult, RowGroup } from './storage-mode.ts';

/**
 * What every mode's ingestRows does around its own write: mark the history index stale before any
 * row lands (so a run killed after writing is caught up by the next reader), rebuild it after.
 */
export async function ingestRowsWith(layout: BirdLayout, groups: readonly RowGroup[], write: (groups: readonly RowGroup[]) => Promise<void>): Promise<IngestRowsResult> {
  const written = groups.reduce((n, g) => n + g.rows.length, 0);
  if (written === 0) return { written: 0 };
  const indexed = groups.some((g) => g.table.name === 'invocations' && g.rows.length > 0);
  if (indexed) markIndexStale(layout.historyIndex);
  await write(groups.filter((g) => g.rows.length > 0));
  if (!indexed) return { written };
  const problem = await refreshHistoryIndex(layout);
  return problem ? { written, warning: problem } : { written };
}
