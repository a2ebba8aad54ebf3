import { contentUuidv7 } from '../ids.ts';
import type { EventRow, InvocationRow } from '../tables.ts';
import { parseOutput } from './parse-output.ts';

/** One stream's bytes as stored (secrets redacted). */
export interface StoredStream {
  readonly stream: string;
  readonly bytes: Uint8Array;
}

const utf8 = new TextDecoder('utf-8');

/**
 * The `events` rows of a command's outputs; none for output that is not text (a NUL in it), and
 * none from a parser that failed. Deterministic, like its outputs' rows: an event's id comes from
 * its command's, its stream's and its place, so parsing the same output again gives the same
 * rows, and a redo writes nothing new.
 */
export function planEvents(invocation: Pick<InvocationRow, 'id' | 'timestamp' | 'date' | 'cmd'>, outputs: readonly StoredStream[]): EventRow[] {
  const startMs = Number(invocation.timestamp / 1000n);
  const rows: EventRow[] = [];
  for (const output of outputs) {
    if (output.bytes.includes(0)) continue;
    const { events } = parseOutput(utf8.decode(output.bytes), invocation.cmd);
    events.forEach((e, i) => rows.push({ id: contentUuidv7(startMs, `${invocation.id}\0event\0${output.stream}\0${i}`), invocation_id: invocation.id, ...e, date: invocation.date }));
  }
  return rows;
}
