/**
 * `bird events --reparse`: the selected commands' stored output parsed again (after a parser
 * improved), their events replaced through the storage mode in one step (@bird/store/append's
 * replaceEvents): a kill -9 at any instant leaves each command its old events or its new ones,
 * never none, never both, and the command and its outputs as they were. Only this machine's
 * commands: a pulled command's blobs are on the machine that ran it.
 */
import { loadConfig, quoteLiteral, type BirdLayout, type EventRow } from '@bird/core';
import { planEvents } from '@bird/core/events';
import type { BirdConnection } from '@bird/store';
import { bytesOfOutput } from '../run/stored-output.ts';
import { commandCondition, type EventsSelection } from './events-selection.ts';

interface ReparsedCommand {
  readonly id: string;
  readonly cmd: string;
  readonly timestamp: bigint;
  readonly date: string;
}

export interface ReparseResult {
  readonly commands: number;
  readonly events: number;
  /** Commands left as they were, each with why. */
  readonly skipped: string[];
}

export async function reparseEvents(layout: BirdLayout, conn: BirdConnection, selection: EventsSelection): Promise<ReparseResult> {
  const found = await conn.query(
    `SELECT DISTINCT i.id, i.cmd, epoch_us(i."timestamp"), CAST(i."date" AS VARCHAR) FROM main.invocations i WHERE ${commandCondition(selection)} AND i._source = 'local' AND EXISTS (SELECT 1 FROM main.outputs o WHERE o.invocation_id = i.id AND o._source = 'local')`,
  );
  const commands: ReparsedCommand[] = found.rows.map((r) => ({ id: String(r[0]), cmd: String(r[1]), timestamp: BigInt(String(r[2])), date: String(r[3]) }));
  if (commands.length === 0) return { commands: 0, events: 0, skipped: [] };
  const outputs = await conn.query(
    `SELECT DISTINCT invocation_id, stream, storage_type, storage_ref, content_hash, byte_length FROM main.outputs WHERE _source = 'local' AND invocation_id IN (${commands.map((c) => quoteLiteral(c.id)).join(', ')})`,
  );
  conn.close(); // the storage mode takes the store next
  const rows: EventRow[] = [];
  const done: ReparsedCommand[] = [];
  const skipped: string[] = [];
  for (const c of commands) {
    try {
      const streams = outputs.rows
        .filter((r) => r[0] === c.id)
        .map((r) => ({
          stream: String(r[1]),
          bytes: bytesOfOutput(layout, { stream: String(r[1]), storageType: r[2] === null ? null : String(r[2]), storageRef: r[3] === null ? null : String(r[3]), contentHash: r[4] === null ? null : String(r[4]), byteLength: r[5] === null ? null : Number(r[5]) }),
        }));
      rows.push(...planEvents({ id: c.id, cmd: c.cmd, timestamp: c.timestamp, date: c.date }, streams));
      done.push(c);
    } catch (error) {
      // Its output cannot be read back (a blob gone): its events stay as they are.
      skipped.push(`${c.id}: ${(error as Error).message}`);
    }
  }
  if (done.length > 0) {
    const { replaceEvents } = await import('@bird/store/append');
    await replaceEvents(layout, loadConfig(layout), done.map((c) => ({ id: c.id, date: c.date })), rows);
  }
  return { commands: done.length, events: rows.length, skipped };
}
