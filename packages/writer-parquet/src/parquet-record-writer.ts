import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import {
  BirdError,
  EVENTS,
  INVOCATIONS,
  OUTPUTS,
  SESSIONS,
  localPartitionDir,
  fileKeyOf,
  writeFileAtomic,
  type BirdLayout,
  type EventRow,
  type InvocationRow,
  type OutputRow,
  type RecordWriter,
  type SessionRow,
} from '@bird/core';
import { encodeRecords } from './encode-record.ts';

/**
 * Parquet mode: every record is its own file, written under `db/tmp/` and renamed into
 * `db/data/local/<table>/date=…/`, so any number of shells can write at once and a reader
 * never sees half a file. File names come from the record's id: writing the same record
 * twice replaces the file with identical bytes instead of adding a row.
 */
export class ParquetRecordWriter implements RecordWriter {
  constructor(private readonly layout: BirdLayout) {}

  async writeInvocation(row: InvocationRow): Promise<void> {
    this.writeInvocationSync(row);
  }

  /** Synchronous form; returns the file written (tests use it to find the file). */
  writeInvocationSync(row: InvocationRow): string {
    const path = join(localPartitionDir(this.layout, 'invocations', row.date), `${row.id}.parquet`);
    writeRecordFile(this.layout, path, encodeRecords(INVOCATIONS, [row]));
    return path;
  }

  /** One stream a command printed (`bird run`): its own file, named by the row's id like a command's. */
  writeOutputSync(row: OutputRow): string {
    const path = join(localPartitionDir(this.layout, 'outputs', row.date), `${row.id}.parquet`);
    writeRecordFile(this.layout, path, encodeRecords(OUTPUTS, [row]));
    return path;
  }

  /** What an output says (@bird/core/events): its own file, named by the row's id like an output's. */
  writeEventSync(row: EventRow): string {
    const path = join(localPartitionDir(this.layout, 'events', row.date), `${row.id}.parquet`);
    writeRecordFile(this.layout, path, encodeRecords(EVENTS, [row]));
    return path;
  }

  async registerSession(row: SessionRow): Promise<void> {
    this.registerSessionSync(row);
  }

  /** Writes the session row once; a marker in `db/sessions-seen/` remembers it was written. */
  registerSessionSync(row: SessionRow): string | null {
    const key = fileKeyOf(row.session_id);
    const marker = join(this.layout.sessionsSeen, key);
    if (existsSync(marker)) return null;
    const path = join(localPartitionDir(this.layout, 'sessions', row.date), `${key}.parquet`);
    writeRecordFile(this.layout, path, encodeRecords(SESSIONS, [row]));
    try {
      mkdirSync(this.layout.sessionsSeen, { recursive: true, mode: 0o700 });
      closeSync(openSync(marker, 'a', 0o600));
    } catch (error) {
      throw writeFailed(this.layout, marker, error);
    }
    return path;
  }

  async close(): Promise<void> {}
}


function writeRecordFile(layout: BirdLayout, path: string, bytes: Uint8Array): void {
  try {
    writeFileAtomic(path, bytes, { tmpDir: layout.tmp });
  } catch (error) {
    throw writeFailed(layout, path, error);
  }
}

/** A file-system failure as one sentence for the user; anything else (a bug) passes through. */
function writeFailed(layout: BirdLayout, path: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== 'string') return error;
  return new BirdError(
    `cannot write ${path} (${code}): make ${layout.root} and the folders in it writable, or point BIRD_ROOT somewhere you can write.`,
    { cause: error },
  );
}
