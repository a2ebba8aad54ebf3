import type { TableDef } from '@bird/core';
import type { RowGroup } from './storage-mode.ts';

/** Rows of one table as ingestRows takes them: a group per day, oldest first. */
export function rowGroupsByDay<T extends { date: string }>(table: TableDef, rows: readonly T[]): RowGroup[] {
  const days = new Map<string, T[]>();
  for (const row of rows) (days.get(row.date) ?? days.set(row.date, []).get(row.date)!).push(row);
  return [...days].sort(([a], [b]) => (a < b ? -1 : 1)).map(([date, dayRows]) => ({ table, date, rows: dayRows }));
}
