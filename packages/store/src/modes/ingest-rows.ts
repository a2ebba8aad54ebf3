import { forgotten, hasTombstones, type BirdLayout } from '@bird/core';
import { markIndexStale } from '@bird/history-index';
import { refreshHistoryIndex } from '../history-index-rebuild.ts';
import type { IngestRowsResult, RowGroup } from './storage-mode.ts';

/**
 * Past this many commands written, ingestRows leaves the history index to its next reader (the
 * stale marker stays) instead of rebuilding it here: a rebuild holds every stored command in
 * memory at once (~1.6 GB per million), which an import streamed to stay small must not pay.
 */
export const INGEST_REBUILDS_INDEX_UP_TO = 100_000;

/**
 * What every mode's ingestRows does around its own write of each batch: mark the history index
 * stale before the first row lands (so a run killed after writing is caught up by the next
 * reader), rebuild it after the last (or leave that to the next reader, past
 * INGEST_REBUILDS_INDEX_UP_TO commands).
 */
export async function ingestRowsWith(
  layout: BirdLayout,
  batches: AsyncIterable<readonly RowGroup[]>,
  write: (groups: readonly RowGroup[]) => Promise<void>,
  /** Makes what `write` held back readable: at an empty batch, and after the last one (before the index is rebuilt). */
  publish: () => Promise<void> = async () => undefined,
): Promise<IngestRowsResult> {
  // A forgotten command is not brought back by an import of a history that still holds it
  // (by its id, or, for a range forget of its series, by when it started).
  const gone = hasTombstones(layout) ? forgotten(layout) : null;
  const startOf = (r: Record<string, unknown>) => (typeof r.timestamp === 'bigint' ? r.timestamp : null);
  let written = 0;
  let commands = 0;
  let marked = false;
  for await (const planned of batches) {
    if (planned.length === 0) {
      // asked for: what was written is read back before the next batch is planned
      await publish();
      continue;
    }
    const groups = (gone === null ? planned : withoutForgottenRows(planned, (r) => gone.has(String(r.client_id), String(r.id), startOf(r)))).filter((g) => g.rows.length > 0);
    if (groups.length === 0) continue;
    const invocations = groups.reduce((n, g) => n + (g.table.name === 'invocations' ? g.rows.length : 0), 0);
    if (invocations > 0 && !marked) {
      markIndexStale(layout.historyIndex);
      marked = true;
    }
    await write(groups);
    written += groups.reduce((n, g) => n + g.rows.length, 0);
    commands += invocations;
  }
  await publish();
  if (!marked || commands > INGEST_REBUILDS_INDEX_UP_TO) return { written };
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
