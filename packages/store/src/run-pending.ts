/**
 * `bird run`'s redo record. A command's rows and its outputs' rows are separate writes (separate
 * files in parquet mode), the outputs after the command, so a kill between them leaves a command
 * without its outputs, never an output without its command. To finish such a run, its rows are
 * written to `db/runs-pending/<command id>.json` before any row is stored and the file is deleted
 * once all are: a file still there belongs to a run that died, and the next `bird run` writes its
 * rows again (every write of a row is idempotent by id). All of this happens under the blobs lock,
 * so the file of a live run is never taken for a dead one's, and `bird forget` counts the blobs
 * the files name as referenced.
 */
import { readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { quarantineFile, writeFileAtomic, type BirdLayout, type EventRow, type InvocationRow, type OutputRow, type SessionRow } from '@bird/core';
import type { CapturedCommand } from './modes/storage-mode.ts';

const SUFFIX = '.json';

function pendingPath(layout: BirdLayout, command: CapturedCommand): string {
  return join(layout.runsPending, `${command.invocation.id}${SUFFIX}`);
}

/** The record's text: JSON, with bigints (timestamps) as `"123n"` strings. */
export function pendingText(command: CapturedCommand): string {
  return JSON.stringify(command, (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value));
}

export function writePending(layout: BirdLayout, command: CapturedCommand): string {
  const path = pendingPath(layout, command);
  writeFileAtomic(path, pendingText(command), { tmpDir: layout.tmp });
  return path;
}

export function clearPending(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const micros = (v: unknown): bigint | null => (typeof v === 'string' && /^-?[0-9]{1,20}n$/.test(v) ? BigInt(v.slice(0, -1)) : null);

/** A record as written by writePending, or null for anything else (it is read back: untrusted). */
export function parsePending(text: string): CapturedCommand | null {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // cut short or damaged: not a record
    return null;
  }
  if (!isObject(doc) || !isObject(doc.invocation) || !isObject(doc.session) || !Array.isArray(doc.outputs)) return null;
  const timestamp = micros(doc.invocation.timestamp);
  const registeredAt = micros(doc.session.registered_at);
  if (timestamp === null || registeredAt === null) return null;
  const invocation = { ...doc.invocation, timestamp } as InvocationRow;
  const session = { ...doc.session, registered_at: registeredAt } as SessionRow;
  const text_ = (v: unknown) => typeof v === 'string';
  if (![invocation.id, invocation.session_id, invocation.cmd, invocation.client_id, invocation.date, session.session_id].every(text_)) return null;
  const outputs = doc.outputs as OutputRow[];
  if (!outputs.every((o) => isObject(o) && text_(o.id) && o.invocation_id === invocation.id && text_(o.date) && text_(o.storage_ref))) return null;
  // A record from before events were parsed has none: its command is finished without them.
  const events = (Array.isArray(doc.events) ? doc.events : []) as EventRow[];
  if (!events.every((e) => isObject(e) && text_(e.id) && e.invocation_id === invocation.id && text_(e.date))) return null;
  return { invocation, session, outputs, events };
}

/** The records runs that died left behind; one that cannot be read is set aside, named in `warn`. */
export function readPending(layout: BirdLayout, warn: (message: string) => void): { path: string; command: CapturedCommand }[] {
  let names: string[];
  try {
    names = readdirSync(layout.runsPending).filter((n) => n.endsWith(SUFFIX));
  } catch {
    // no run ever got this far
    return [];
  }
  const out: { path: string; command: CapturedCommand }[] = [];
  for (const name of names) {
    const path = join(layout.runsPending, name);
    let command: CapturedCommand | null = null;
    try {
      command = parsePending(readFileSync(path, 'utf8'));
    } catch {
      // gone meanwhile, or unreadable: judged below
    }
    if (command) out.push({ path, command });
    else warn(`a \`bird run\` record ${path} cannot be read; it is set aside at ${quarantineFile(layout, path)}.`);
  }
  return out;
}
