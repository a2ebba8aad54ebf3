import type { HistoryEntry, HistoryParse } from './history-entry.ts';
import { durationMsOf, startUsOfSeconds } from './history-time.ts';

const NEWLINE = 0x0a;
const BACKSLASH = 0x5c;
const SPACE = 0x20;
const COLON = 0x3a;
const SEMICOLON = 0x3b;
const NUL = 0x00;
/** zsh's `Meta`: the byte after it stands for itself XOR 32. */
const META = 0x83;

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** What is left of a header when a write was cut inside it: `: 17000`, `: 1700000000:`. */
const CUT_HEADER = /^: \d+(:\d*)?$/;

/**
 * Reads `$HISTFILE` as zsh writes it, with or without `extended_history`
 * (`: <start>:<elapsed>;<cmd>`; start and elapsed in whole seconds).
 *
 * It follows zsh's own reader (`readhistline`, `readhistfile` in Src/hist.c): a line ending in
 * a backslash goes on onto the next one (zsh writes `\` before each newline of a command), a
 * command that itself ends in backslashes was written with one space after them, and a plain
 * command starting with `:` was written as `\:`. The bytes are unmetafied before they are
 * decoded as UTF-8, or multibyte text (日本語) would come back garbled.
 *
 * A line starting with `:` that is no `: <digits>:<digits>;` header is a plain command (`: >
 * file`, `: not-extended`): zsh itself writes such a command as `\:`, but other tools do not,
 * and the line is readable as it stands. A time before 1970 or after year 9999 is damage: that
 * command is kept, without a time. Elapsed 0 is a null duration: zsh writes 0 both for a
 * command under a second and for one it wrote before it finished (`INC_APPEND_HISTORY`,
 * `SHARE_HISTORY`), so 0 says nothing; 0 ms would claim a measurement.
 *
 * Unreadable, counted and skipped: a header cut short (`: 17000`, a torn write), a header with
 * no command, bytes that are not UTF-8 after unmetafying, a raw NUL byte (zsh metafies NUL, so a
 * raw one is damage, such as the zero-filled block a crash leaves), and a continued line at the
 * very end of the file (zsh drops that one too). Each is reported at the line where its entry
 * starts.
 *
 * @example
 * parseZshHistory(new TextEncoder().encode(': 1700000000:3;make\n'))
 * // { entries: [{ cmd: 'make', startUs: 1700000000000000n, durationMs: 3000, line: 1 }], unreadable: 0, unreadableLines: [] }
 */
export function parseZshHistory(bytes: Uint8Array): HistoryParse {
  const entries: HistoryEntry[] = [];
  const unreadableLines: number[] = [];
  let pos = 0;
  let lineNo = 0;
  while (pos < bytes.length) {
    const startLine = lineNo + 1;
    const parts: Uint8Array[] = [];
    let torn = false;
    let terminated = true;
    for (;;) {
      const end = bytes.indexOf(NEWLINE, pos);
      lineNo++;
      if (end < 0) {
        // The last line has no newline: zsh takes it as it is.
        parts.push(bytes.subarray(pos));
        pos = bytes.length;
        terminated = false;
        break;
      }
      const line = bytes.subarray(pos, end);
      pos = end + 1;
      if (line.length > 0 && line[line.length - 1] === BACKSLASH) {
        parts.push(line.subarray(0, line.length - 1), Uint8Array.of(NEWLINE));
        if (pos >= bytes.length) {
          torn = true;
          break;
        }
        continue;
      }
      parts.push(line);
      break;
    }
    if (torn) {
      unreadableLines.push(startLine);
      continue;
    }
    let raw = concat(parts);
    if (terminated) raw = dropSpaceAfterBackslashes(raw);
    if (raw.length === 0) continue;
    const entry = readEntry(raw, startLine);
    if (entry) entries.push(entry);
    else unreadableLines.push(startLine);
  }
  return { entries, unreadable: unreadableLines.length, unreadableLines };
}

function readEntry(raw: Uint8Array, line: number): HistoryEntry | null {
  if (raw.includes(NUL)) return null;
  let startUs: bigint | null = null;
  let durationMs: number | null = null;
  let body = raw;
  // A header is at most `: ` and two 20-digit numbers; anything longer is not one.
  const semi = raw[0] === COLON ? raw.indexOf(SEMICOLON) : -1;
  const header = semi >= 0 && semi <= 44 ? extendedHeaderOf(raw, semi) : null;
  if (header) {
    startUs = startUsOfSeconds(header.start);
    const elapsed = durationMsOf(header.elapsed * 1000n);
    durationMs = elapsed === 0 ? null : elapsed;
    body = raw.subarray(semi + 1);
    if (body.length === 0) return null;
  } else if (raw[0] === COLON && raw.length <= 44 && CUT_HEADER.test(String.fromCharCode(...raw))) {
    return null;
  } else if (raw[0] === BACKSLASH && raw[1] === COLON) {
    body = raw.subarray(1);
  }
  let cmd: string;
  try {
    cmd = utf8.decode(unmetafy(body));
  } catch {
    // not UTF-8 even after unmetafy: the caller reports the line as unreadable
    return null;
  }
  return { cmd, startUs, durationMs, line };
}

const ZERO = 0x30;
const NINE = 0x39;

/**
 * `: <digits>:<digits>` in raw[0, end) (start and elapsed seconds), read from the bytes: a
 * string and a match for each of a million lines cost a second of an import.
 */
function extendedHeaderOf(raw: Uint8Array, end: number): { start: bigint; elapsed: bigint } | null {
  if (raw[1] !== SPACE) return null;
  const colon = raw.indexOf(COLON, 2);
  if (colon < 0 || colon >= end || !allDigits(raw, 2, colon) || !allDigits(raw, colon + 1, end)) return null;
  return { start: digitsValue(raw, 2, colon), elapsed: digitsValue(raw, colon + 1, end) };
}

/** raw[from, to) is one or more ASCII digits. */
function allDigits(raw: Uint8Array, from: number, to: number): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) if (raw[i]! < ZERO || raw[i]! > NINE) return false;
  return true;
}

/** The value of the digits raw[from, to): exact as a double up to 15 digits, a BigInt of the text beyond. */
function digitsValue(raw: Uint8Array, from: number, to: number): bigint {
  if (to - from > 15) return BigInt(String.fromCharCode(...raw.subarray(from, to)));
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + (raw[i]! - ZERO);
  return BigInt(n);
}

/**
 * zsh's history file is "metafied": each byte zsh uses internally as a token (0x83–0xA2) and
 * NUL is written as 0x83 followed by the byte XOR 32. A byte that needs no escaping is itself,
 * so files written by older shells that escaped less read the same way.
 */
export function unmetafy(bytes: Uint8Array): Uint8Array {
  if (!bytes.includes(META)) return bytes;
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    out[n++] = b === META && i + 1 < bytes.length ? bytes[++i]! ^ 32 : b;
  }
  return out.subarray(0, n);
}

/** zsh writes a space after a command's trailing backslashes, so they do not read as a continuation. */
function dropSpaceAfterBackslashes(raw: Uint8Array): Uint8Array {
  let i = raw.length - 1;
  while (i >= 0 && raw[i] === SPACE) i--;
  return i < raw.length - 1 && i >= 0 && raw[i] === BACKSLASH ? raw.subarray(0, raw.length - 1) : raw;
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let n = 0;
  for (const p of parts) {
    out.set(p, n);
    n += p.length;
  }
  return out;
}
