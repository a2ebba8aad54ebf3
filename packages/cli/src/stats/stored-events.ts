// The events `bird stats` counts, read from the store: DuckDB is opened only when the store may
// hold some (@bird/store/events-present), so that stats stays a read of the history index for
// everyone whose commands printed nothing stored. Which commands they belong to, and where those
// ran, the history index says (compute-stats.ts), as it does for the rest of the report.
import { loadConfig } from '@bird/core';
import { storeMayHoldEvents } from '@bird/store/events-present';
import type { CliContext } from '../context.ts';
import { layoutOf } from '../layout.ts';
import { connect, MINIMAL } from '../store-access.ts';
import type { StoredEvent } from './event-stats.ts';

const text = (v: unknown) => (v === null || v === undefined ? null : String(v));

/** Every error and failed test stored, each row once (one in two files before a compaction merges them is read once); none when the store holds no events. */
export async function storedEvents(ctx: CliContext): Promise<StoredEvent[]> {
  const layout = layoutOf(ctx);
  if (!storeMayHoldEvents(layout, loadConfig(layout).storage.mode)) return [];
  const conn = await connect(ctx, MINIMAL, { quiet: true });
  try {
    const result = await conn.query(
      `SELECT DISTINCT id, invocation_id, kind, severity, status, message, ref_file FROM main.events
       WHERE (kind = 'diagnostic' AND severity = 'error') OR (kind = 'test' AND status = 'failed')`,
    );
    return result.rows.map((r): StoredEvent => ({ invocationId: String(r[1]), kind: text(r[2]), severity: text(r[3]), status: text(r[4]), message: text(r[5]), file: text(r[6]) }));
  } finally {
    conn.close();
  }
}
