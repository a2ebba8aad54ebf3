import type { TableName } from './tables.ts';

/** The column that tells copies of a row apart (compaction keeps one; push and pull move each once). */
export const ROW_KEY: Record<TableName, string> = { invocations: 'id', sessions: 'session_id', outputs: 'id', events: 'id' };
/** How merged and pulled files are sorted. */
export const ROW_ORDER: Record<TableName, string> = { invocations: 'timestamp, id', sessions: 'registered_at, session_id', outputs: 'id', events: 'id' };
