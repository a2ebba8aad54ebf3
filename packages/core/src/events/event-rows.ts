import { contentUuidv7 } from '../ids.ts';
import type { EventRow, InvocationRow } from '../tables.ts';
import { parseOutput } from './parse-output.ts';

/** One stream's text as parsers get it. */
export interface OutputText {
  readonly stream: string;
  readonly text: string;
}

const utf8 = new TextDecoder('utf-8');

/** An output's bytes as text, or null for output that is not text (a NUL in it). */
export function textOfOutput(bytes: Uint8Array): string | null {
  return bytes.includes(0) ? null : utf8.decode(bytes);
}

/**
 * The `events` rows of a command's outputs. Deterministic, like its outputs' rows: an event's id
 * comes from its command's, its stream's and its place, so parsing the same output again gives
 * the same rows, and a redo writes nothing new.
 */
export function planEvents(invocation: Pick<InvocationRow, 'id' | 'timestamp' | 'date' | 'cmd'>, outputs: readonly OutputText[]): EventRow[] {
  const startMs = Number(invocation.timestamp / 1000n);
  const rows: EventRow[] = [];
  for (const output of outputs) {
    const { events } = parseOutput(output.text, invocation.cmd);
    events.forEach((e, i) => rows.push({ id: contentUuidv7(startMs, `${invocation.id}\0event\0${output.stream}\0${i}`), invocation_id: invocation.id, ...e, date: invocation.date }));
  }
  return rows;
}
