import type { InvocationRow, SessionRow } from './tables.ts';

/**
 * The seam between capture and storage: parquet mode writes one atomic file per record,
 * duckdb mode inserts into bird.duckdb. Both must make a retried write of the same row
 * (same id) a no-op rather than a duplicate.
 */
export interface RecordWriter {
  writeInvocation(row: InvocationRow): Promise<void>;
  /** Writes the session row unless this session was already registered. */
  registerSession(row: SessionRow): Promise<void>;
  close(): Promise<void>;
}
