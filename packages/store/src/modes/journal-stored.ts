import { describeError, uuidv7, type BirdLayout, type InvocationRow } from '@bird/core';
import { appendToJournal, historyRowOf, invalidateIndex, type HistoryRow } from '@bird/history-index';

/**
 * Tells the history index (search, `bird history`) about rows just stored. Never fails the
 * capture: the rows are safe in the store, and an index that could not be told is marked so that
 * its next reader rebuilds it. Returns a sentence for errors.log when that happened.
 */
export function journalStored(layout: BirdLayout, rows: readonly InvocationRow[]): string | undefined {
  return journalHistoryRows(layout, rows.map((row) => historyRowOf(row)));
}

/** journalStored for rows already in the index's shape (a pull's, with their remote as source). */
export function journalHistoryRows(layout: BirdLayout, rows: readonly HistoryRow[]): string | undefined {
  try {
    appendToJournal(layout.historyIndex, rows);
    return undefined;
  } catch (error) {
    return `could not add ${rows.length} stored command(s) to the history index (${describeError(error)}); ${invalidateIndex(layout.historyIndex, uuidv7(Date.now()))}.`;
  }
}
