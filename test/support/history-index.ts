// What search, `bird history` and `bird stats` would see: the history index as a reader loads
// it, rebuilt first when it is missing or stale (as packages/cli/src/history-source.ts does).
import { loadHistory, rowAt, type HistoryRow } from '@bird/history-index';
import { openStore, refreshHistoryIndex } from '@bird/store';
import type { BirdLayout } from '@bird/core';

export async function indexAsReaderSees(layout: BirdLayout): Promise<HistoryRow[]> {
  let loaded = loadHistory(layout.historyIndex);
  if (!loaded.ok) {
    const problem = await refreshHistoryIndex(layout);
    if (problem) throw new Error(problem);
    loaded = loadHistory(layout.historyIndex);
    if (!loaded.ok) throw new Error(`the history index is still ${loaded.why} after a rebuild: ${loaded.detail}`);
  }
  const index = loaded.index;
  return Array.from({ length: index.size }, (_, r) => rowAt(index, r));
}

/** `id source` of every row of main.invocations, sorted: what the index must hold exactly. */
export async function storedIdsAndSources(layout: BirdLayout): Promise<string[]> {
  const conn = await openStore(layout, { onWarning: () => undefined }).connect({ attachRemotes: false });
  try {
    const { rows } = await conn.query('SELECT CAST(id AS VARCHAR), _source FROM main.invocations');
    return rows.map((r) => `${String(r[0])} ${String(r[1])}`).sort();
  } finally {
    conn.close();
  }
}

export async function indexedIdsAndSources(layout: BirdLayout): Promise<string[]> {
  return (await indexAsReaderSees(layout)).map((r) => `${r.id} ${r.source}`).sort();
}
