/**
 * What waits in `$BIRD_ROOT/spool/` to be stored, for `bird doctor`: records in the shells'
 * spool files and in claims a drainer took, and whether the drainer `drainer.pid` names is
 * alive. Read only; a file that vanishes while it is read (drained just now) counts as empty.
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BirdLayout } from '@bird/core';
import { isDrainerAlive, readDrainerMarker } from './drainer-alive.ts';
import { RECORD_TAG } from './record-format.ts';
import { parseSpoolName } from './spool-names.ts';

export interface SpoolBacklog {
  /** Records not stored yet (a torn one at the end of a file counts once it is complete). */
  readonly records: number;
  /** Spool files and claims that hold at least one byte. */
  readonly files: number;
  readonly bytes: number;
  /** The oldest of those files' last writes, epoch ms; null when nothing waits. */
  readonly oldestMs: number | null;
  /** The drainer drainer.pid names, if any, and whether it is alive and a drainer of this root. */
  readonly drainer: { readonly pid: number; readonly alive: boolean } | null;
}

/** Files are read this much at a time: a spool left to grow for weeks costs no more memory. */
const CHUNK_BYTES = 1024 * 1024;
/** How each record starts (record-format.ts): a raw newline only ever frames a record. */
const RECORD_START = Buffer.from(`\n${RECORD_TAG}\t`);

/** The backlog, or null when there is no spool folder yet (nothing was ever typed in a hooked shell). */
export function spoolBacklog(layout: BirdLayout): SpoolBacklog | null {
  let names: string[];
  try {
    names = readdirSync(layout.spool);
  } catch {
    // no spool folder yet: no backlog to report
    return null;
  }
  let records = 0;
  let files = 0;
  let bytes = 0;
  let oldestMs: number | null = null;
  for (const name of names) {
    const entry = parseSpoolName(name);
    if (entry === null || entry.kind === 'hist') continue;
    const path = join(layout.spool, name);
    try {
      const info = statSync(path);
      if (!info.isFile() || info.size === 0) continue;
      files++;
      bytes += info.size;
      oldestMs = oldestMs === null ? info.mtimeMs : Math.min(oldestMs, info.mtimeMs);
      records += countRecords(path);
    } catch {
      // drained and removed while we looked
    }
  }
  return { records, files, bytes, oldestMs, drainer: readDrainer(layout) };
}

function countRecords(path: string): number {
  const fd = openSync(path, 'r');
  try {
    // Each chunk is searched with the last bytes of the one before it in front, so a record
    // start cut by a chunk boundary is found once, and one wholly in the carry was counted already.
    const keep = RECORD_START.length - 1;
    const buffer = Buffer.alloc(keep + CHUNK_BYTES);
    let carried = 0;
    let n = 0;
    for (;;) {
      const read = readSync(fd, buffer, carried, CHUNK_BYTES, null);
      if (read === 0) return n;
      const filled = carried + read;
      for (let at = buffer.indexOf(RECORD_START); at !== -1 && at + RECORD_START.length <= filled; at = buffer.indexOf(RECORD_START, at + 1)) n++;
      carried = Math.min(keep, filled);
      buffer.copy(buffer, 0, filled - carried, filled);
    }
  } finally {
    closeSync(fd);
  }
}

function readDrainer(layout: BirdLayout): SpoolBacklog['drainer'] {
  const marker = readDrainerMarker(layout.spool);
  return marker && { pid: marker.pid, alive: isDrainerAlive(marker, layout.root) };
}
