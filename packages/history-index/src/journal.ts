// The journal: rows stored since the last rebuild, appended as JSON lines by whichever process
// stored them (the drainer after each batch, `bird-capture --cmd`). Only node:fs: the drainer
// loads this on the capture path.
import { closeSync, linkSync, openSync, readFileSync, unlinkSync, writeFileSync, writeSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createFileAtomic, writeFileAtomic, type InvocationRow } from '@bird/core';
import type { HistoryRow } from './history-index.ts';
import { indexFiles, staleName } from './index-files.ts';

/** An invocation as the index keeps it; `source` is `local` for rows stored on this machine. */
export function historyRowOf(row: InvocationRow, source = 'local'): HistoryRow {
  return {
    id: row.id,
    timestampUs: Number(row.timestamp),
    durationMs: row.duration_ms ?? null,
    exitCode: row.exit_code ?? null,
    cmd: row.cmd,
    cwd: row.cwd ?? '',
    session: row.session_id,
    host: row.hostname ?? '',
    source,
  };
}

const lineOf = (r: HistoryRow) => JSON.stringify([r.id, r.timestampUs, r.durationMs, r.exitCode, r.cmd, r.cwd, r.session, r.host, r.source]);

const journalText = (rows: readonly HistoryRow[]) => rows.map((r) => `\n${lineOf(r)}`).join('');

/** The bytes these rows would add to the journal (what every reader then parses until a fold). */
export function journalBytes(rows: readonly HistoryRow[]): number {
  return Buffer.byteLength(journalText(rows), 'utf8');
}

/**
 * Appends rows that are already stored. One write of whole lines with O_APPEND, so writers in
 * several processes never interleave inside a line; each line starts with a newline, so a line a
 * crash cut short (or a full disk) never swallows the next one. Rows written twice (a drainer
 * redoing a batch) are kept once by the reader.
 */
export function appendToJournal(indexDir: string, rows: readonly HistoryRow[]): void {
  if (rows.length === 0) return;
  const text = journalText(rows);
  const path = indexFiles(indexDir).journal;
  let fd: number;
  try {
    fd = openSync(path, 'a', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(indexDir, { recursive: true, mode: 0o700 });
    fd = openSync(path, 'a', 0o600);
  }
  try {
    const bytes = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
  } finally {
    closeSync(fd);
  }
}

/**
 * What a writer does when its rows are stored but could not be journaled (a full disk): the
 * index is marked stale, so the next reader rebuilds it from the store rather than miss them.
 * A marker needs no data blocks; if even that fails, the snapshot goes, which frees space and
 * has the same effect. Returns what it did, for the error log.
 */
export function invalidateIndex(indexDir: string, uuid: string): string {
  try {
    mkdirSync(indexDir, { recursive: true, mode: 0o700 });
    writeFileSync(join(indexDir, staleName(uuid)), '', { mode: 0o600, flag: 'wx' });
    return 'marked the history index stale; the next search rebuilds it';
  } catch {
    try {
      unlinkSync(indexFiles(indexDir).snapshot);
    } catch {
      // no snapshot: the next reader rebuilds anyway
    }
    return 'removed the history index; the next search rebuilds it';
  }
}

export interface JournalRead {
  rows: HistoryRow[];
  /** Lines that are not a whole row (cut short by a crash, or damage); readers rebuild the index rather than miss their rows. */
  damaged: number;
  /** The id the rebuild that started this journal wrote on its first line; null for one an append started. */
  started: string | null;
}

/** A journal's first line when a rebuild started it: the id its snapshot records too. */
const startLine = (id: string) => JSON.stringify({ journal: id });
const START = /^\{"journal":"([0-9a-f-]{36})"\}$/;

/** The rows of one journal file; throws ENOENT like readFileSync when it is gone. */
export function readJournal(path: string): JournalRead {
  const lines = readFileSync(path, 'utf8').split('\n');
  const started = START.exec(lines[0]!)?.[1] ?? null;
  const rows: HistoryRow[] = [];
  let damaged = 0;
  for (const [i, line] of lines.entries()) {
    if (line === '' || (i === 0 && started !== null)) continue;
    const row = parseLine(line);
    if (row) rows.push(row);
    else damaged++;
  }
  return { rows, damaged, started };
}

/**
 * A rebuild's first step: the live journal becomes `absorbing` (a second name for the same file,
 * so a writer appending at this instant still lands in it) and a fresh journal, holding only a
 * line with `id`, takes its place in one rename. The snapshot records `id`, so a reader can tell
 * the journal it reads is the one that snapshot was built with, not one deleted, emptied or
 * overwritten since (it would miss rows). The path is never without a journal meanwhile.
 */
export function startJournal(indexDir: string, id: string, absorbing: string): void {
  const { journal } = indexFiles(indexDir);
  for (let attempt = 0; ; attempt++) {
    try {
      linkSync(journal, absorbing);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3) throw error;
      // No journal: made whole in one step, unless a writer's append made one just now (then absorb that).
      if (createFileAtomic(journal, startLine(id), { durable: false })) return;
      continue;
    }
    writeFileAtomic(journal, startLine(id), { durable: false });
    return;
  }
}

function parseLine(line: string): HistoryRow | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    // a line cut short by a crash, or garbage: the caller counts it, and a damaged journal means a rebuild
    return undefined;
  }
  if (!Array.isArray(v) || v.length !== 9) return undefined;
  const [id, timestampUs, durationMs, exitCode, cmd, cwd, session, host, source] = v as unknown[];
  const text = (x: unknown): x is string => typeof x === 'string';
  const numberOrNull = (x: unknown) => x === null || typeof x === 'number';
  if (!text(id) || typeof timestampUs !== 'number' || !numberOrNull(durationMs) || !numberOrNull(exitCode)) return undefined;
  if (!text(cmd) || !text(cwd) || !text(session) || !text(host) || !text(source)) return undefined;
  return { id, timestampUs, durationMs: durationMs as number | null, exitCode: exitCode as number | null, cmd, cwd, session, host, source };
}
