import { closeSync, openSync, readSync } from 'node:fs';
import type { HistoryEntry, HistoryParse } from './history-entry.ts';
import { parseBashHistory } from './bash-history.ts';
import { parseFishHistory } from './fish-history.ts';
import { parseZshHistory } from './zsh-history.ts';

export type TextHistoryFormat = 'zsh' | 'bash' | 'fish';

/**
 * How much of the file is read at once: the import holds about this much text, not the file.
 * Its parsed entries outlive young-generation collections; 1 MB (~12,000 zsh entries) keeps
 * fewer of them promoted than 4 MB did.
 */
export const CHUNK_BYTES = 1024 * 1024;

const NEWLINE = 0x0a;
const BACKSLASH = 0x5c;
const HASH = 0x23;
const SPACE = 0x20;

/**
 * The file's entries, a chunk at a time, each parsed by its format's parser with lines counted
 * from the file's start. A chunk is cut only where an entry starts, so each parser sees what it
 * would in the whole file: in zsh after a line not continued by a backslash; in bash before a
 * `#<epoch>` line when those join multi-line commands (the file starts with one), else after
 * any line but a `#<epoch>` one; in fish before a line that is not indented (an entry's fields
 * are). Returns the file's size too, for progress.
 */
export function* historyChunks(format: TextHistoryFormat, fd: number, chunkBytes = CHUNK_BYTES): Generator<HistoryParse> {
  let carry: Buffer = Buffer.alloc(0);
  let lineOffset = 0;
  let multiline: boolean | null = null;
  const block = Buffer.allocUnsafe(chunkBytes);
  for (let position = 0; ; ) {
    const n = readSync(fd, block, 0, chunkBytes, position);
    position += n;
    const data = carry.length === 0 ? block.subarray(0, n) : Buffer.concat([carry, block.subarray(0, n)]);
    if (format === 'bash' && multiline === null && (n === 0 || data.includes(NEWLINE))) multiline = /^#\d+$/.test(firstLine(data));
    const cut = n === 0 ? data.length : lastCut(format, data, multiline ?? false);
    if (cut > 0) {
      const chunk = data.subarray(0, cut);
      const parsed = parseChunk(format, chunk, multiline ?? false);
      yield offsetLines(parsed, lineOffset);
      lineOffset += countNewlines(chunk);
    }
    // copied: the block is read into again
    carry = Buffer.from(data.subarray(cut));
    if (n === 0) return;
  }
}

/** Opens `path` for historyChunks; the caller closes it (closeHistory). */
export function openHistory(path: string): number {
  return openSync(path, 'r');
}

export function closeHistory(fd: number): void {
  closeSync(fd);
}

function parseChunk(format: TextHistoryFormat, chunk: Buffer, multiline: boolean): HistoryParse {
  switch (format) {
    case 'zsh':
      return parseZshHistory(chunk);
    case 'bash':
      return parseBashHistory(chunk.toString('utf8'), { multiline });
    case 'fish':
      return parseFishHistory(chunk.toString('utf8'));
  }
}

/** The end of the last whole line of `data` after which an entry starts; 0 when there is none. */
function lastCut(format: TextHistoryFormat, data: Buffer, multiline: boolean): number {
  let end = data.lastIndexOf(NEWLINE);
  while (end >= 0) {
    const prev = end > 0 ? data.lastIndexOf(NEWLINE, end - 1) : -1;
    // the line ending at `end` is data[prev+1, end); the next starts at end+1
    const next = end + 1;
    if (next < data.length || format !== 'fish') {
      if (cutsAfter(format, data, prev + 1, end, next, multiline)) return next;
    }
    end = prev;
  }
  return 0;
}

function cutsAfter(format: TextHistoryFormat, data: Buffer, lineStart: number, lineEnd: number, next: number, multiline: boolean): boolean {
  switch (format) {
    case 'zsh':
      return lineEnd === lineStart || data[lineEnd - 1] !== BACKSLASH;
    case 'bash':
      // The next line must be there to tell (in multi-line mode it must be a `#<epoch>`).
      if (next >= data.length) return false;
      return multiline ? isStamp(data, next, lineEndAt(data, next)) : !isStamp(data, lineStart, lineEnd);
    case 'fish':
      return data[next] !== SPACE;
  }
}

function lineEndAt(data: Buffer, start: number): number {
  const end = data.indexOf(NEWLINE, start);
  return end < 0 ? data.length : end;
}

/** `#<digits>`, as bash's reader takes a timestamp line. */
function isStamp(data: Buffer, start: number, end: number): boolean {
  if (data[start] !== HASH || end - start < 2) return false;
  for (let i = start + 1; i < end; i++) if (data[i]! < 0x30 || data[i]! > 0x39) return false;
  return true;
}

function firstLine(data: Buffer): string {
  const end = data.indexOf(NEWLINE);
  return data.subarray(0, end < 0 ? data.length : end).toString('utf8');
}

function countNewlines(data: Buffer): number {
  let n = 0;
  for (let i = data.indexOf(NEWLINE); i >= 0; i = data.indexOf(NEWLINE, i + 1)) n++;
  return n;
}

function offsetLines<E extends HistoryEntry>(parsed: HistoryParse<E>, offset: number): HistoryParse<E> {
  if (offset === 0) return parsed;
  for (const entry of parsed.entries) (entry as { line: number }).line += offset;
  return { entries: parsed.entries, unreadable: parsed.unreadable, unreadableLines: parsed.unreadableLines.map((line) => line + offset) };
}
