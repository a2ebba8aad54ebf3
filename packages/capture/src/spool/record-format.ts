/**
 * The spool record: what a shell hook appends after each command, written with shell builtins
 * only (printf and parameter expansion), read back by the drainer.
 *
 * One record is one line framed by a newline on BOTH sides:
 *
 *   \n b1 \t shell \t session \t pid \t start \t end \t duration_ms \t exit \t client \t cwd \t cmd \t e \n
 *
 * Text fields escape `\` as `\\`, newline as `\n` and tab as `\t`, so a raw newline only ever
 * frames a record and a raw tab only ever separates fields. zsh also escapes NUL (typed as
 * Ctrl-V Ctrl-@) as `\0`, which is stored as U+2400 SYMBOL FOR NULL: a raw NUL in a record
 * is what a crash leaves behind, so it marks the record as damaged. Why both newlines: a record torn by
 * a crash or a Ctrl-C mid-write has no closing newline; the next record's opening newline ends
 * the torn line there, so the torn line is rejected (wrong field count or no `e` marker) and the
 * good record after it is read intact. A prefix of a record can never pass as a whole one: it
 * would need all 12 fields and end on the `e` marker, which only the full record does.
 */

import { isShellName, SHELLS, type ShellName } from '@bird/core';

export const RECORD_TAG = 'b1';
export const END_MARK = 'e';
export const FIELD_COUNT = 12;
export { SHELLS };
export type SpoolShell = ShellName;

/** A record as the hook wrote it, fields decoded, times still as the shell printed them. */
export interface SpoolRecord {
  readonly shell: SpoolShell;
  readonly sessionId: string;
  readonly pid: number;
  /** Epoch seconds with an optional fraction (`.` or `,`), or null when the shell has no clock (fish). */
  readonly start: string | null;
  readonly end: string | null;
  /** Milliseconds, from shells that measure it themselves (fish `$CMD_DURATION`). */
  readonly durationMs: number | null;
  /** Null when the written status is not a 32-bit integer: the command ran, its status is unknown. */
  readonly exitCode: number | null;
  /** `BIRD_CLIENT_ID` of the shell that ran the command, or null for the default. */
  readonly clientId: string | null;
  readonly cwd: string;
  readonly cmd: string;
}

export interface ParsedSpool {
  readonly records: SpoolRecord[];
  /** Newline-terminated lines that were not a valid record (torn or corrupt), with why. */
  readonly rejected: { readonly line: string; readonly reason: string }[];
  /** Byte offset just past the last newline: everything before it has been judged. */
  readonly consumed: number;
  /** Bytes after `consumed`: a record still being written, or a torn one at the end of the file. */
  readonly pendingBytes: number;
}

const NEWLINE = 0x0a;

/**
 * Splits spool bytes from `from` into records. Only newline-terminated lines are judged; the
 * unterminated rest is left pending, because a shell may be in the middle of writing it.
 */
export function parseSpool(bytes: Uint8Array, from = 0): ParsedSpool {
  const records: SpoolRecord[] = [];
  const rejected: { line: string; reason: string }[] = [];
  const decoder = new TextDecoder('utf-8');
  let start = from;
  for (let i = from; i < bytes.length; i++) {
    if (bytes[i] !== NEWLINE) continue;
    if (i > start) {
      const line = decoder.decode(bytes.subarray(start, i));
      const decoded = decodeRecordLine(line);
      if (decoded.ok) records.push(decoded.record);
      else rejected.push({ line, reason: decoded.why });
    }
    start = i + 1;
  }
  return { records, rejected, consumed: start, pendingBytes: bytes.length - start };
}

/** A line read back: the record, or why it is not one. */
export type DecodedLine = { readonly ok: true; readonly record: SpoolRecord } | { readonly ok: false; readonly why: string };

const notARecord = (why: string): DecodedLine => ({ ok: false, why });

/** One line without its newline → a record, or the reason it is not one. */
export function decodeRecordLine(line: string): DecodedLine {
  if (line.includes('\0')) return notARecord('contains a NUL byte');
  const fields = line.split('\t');
  if (fields[0] !== RECORD_TAG) return notARecord('does not start with the record tag');
  if (fields.length !== FIELD_COUNT) return notARecord(`has ${fields.length} fields instead of ${FIELD_COUNT}`);
  if (fields[FIELD_COUNT - 1] !== END_MARK) return notARecord('does not end with the end mark');
  const [, shell, sessionId, pid, start, end, duration, exit, client, cwd, cmd] = fields as [string, ...string[]];
  if (!isShellName(shell!)) return notARecord(`unknown shell ${JSON.stringify(shell)}`);
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(sessionId!)) return notARecord('bad session id');
  if (!/^[1-9][0-9]{0,9}$/.test(pid!)) return notARecord('bad pid');
  if (start !== '' && !EPOCH.test(start!)) return notARecord('bad start time');
  if (end !== '' && !EPOCH.test(end!)) return notARecord('bad end time');
  if (duration !== '' && !/^[0-9]{1,12}$/.test(duration!)) return notARecord('bad duration');
  if (!/^-?[0-9]{1,10}$/.test(exit!)) return notARecord('bad exit status');
  const decoded = [client!, cwd!, cmd!].map(unescapeField);
  if (decoded.some((d) => d === null)) return notARecord('bad escape sequence');
  const [clientId, cwdText, cmdText] = decoded as string[];
  const record: SpoolRecord = {
    shell,
    sessionId: sessionId!,
    pid: Number(pid),
    start: start === '' ? null : start!,
    end: end === '' ? null : end!,
    durationMs: duration === '' ? null : Number(duration),
    exitCode: int32OrNull(Number(exit)),
    clientId: clientId === '' ? null : clientId!,
    cwd: cwdText!,
    cmd: cmdText!,
  };
  return { ok: true, record };
}

/** The store's exit_code is an INTEGER (int32), as `bird-capture --exit` enforces. */
function int32OrNull(n: number): number | null {
  return n >= -2147483648 && n <= 2147483647 ? n : null;
}

/** Epoch seconds as shells print them: `$EPOCHREALTIME` (`.` or locale `,`), or whole seconds. */
const EPOCH = /^[0-9]{1,12}(?:[.,][0-9]{1,12})?$/;

/** What a NUL typed in a command is stored as: visible, and safe for every tool that reads it. */
export const NUL_STAND_IN = '\u2400';

/** `\\` `\n` `\t` back to their characters, `\0` to NUL_STAND_IN; any other escape means the line is corrupt. */
export function unescapeField(text: string): string | null {
  if (!text.includes('\\')) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = text[++i];
    if (next === '\\') out += '\\';
    else if (next === 'n') out += '\n';
    else if (next === 't') out += '\t';
    else if (next === '0') out += NUL_STAND_IN;
    else return null;
  }
  return out;
}

/** The hooks' escaping, for tests and for writing records from Node. */
export function escapeField(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('\t', '\\t');
}

export interface RecordFields {
  shell: SpoolShell;
  sessionId: string;
  pid: number;
  start: string | null;
  end: string | null;
  durationMs: number | null;
  exitCode: number;
  clientId: string | null;
  cwd: string;
  cmd: string;
}

/** The bytes a hook appends for one command, leading and trailing newline included. */
export function encodeRecord(r: RecordFields): string {
  const fields = [
    RECORD_TAG,
    r.shell,
    r.sessionId,
    String(r.pid),
    r.start ?? '',
    r.end ?? '',
    r.durationMs === null ? '' : String(r.durationMs),
    String(r.exitCode),
    escapeField(r.clientId ?? ''),
    escapeField(r.cwd),
    escapeField(r.cmd),
    END_MARK,
  ];
  return `\n${fields.join('\t')}\n`;
}

/** `1712345678.123456` (or `,`) → epoch microseconds; extra digits past µs are dropped. */
export function epochToMicros(text: string): bigint {
  const [whole, fraction = ''] = text.split(/[.,]/);
  return BigInt(whole!) * 1_000_000n + BigInt((fraction + '000000').slice(0, 6));
}

export interface RecordTimes {
  readonly startUs: bigint;
  /** Null when the record knows neither its start nor its duration. */
  readonly endUs: bigint | null;
}

/**
 * When the command ran. zsh and bash 5 print both ends with µs; bash 4.4 whole seconds; fish
 * has no clock, so its record's end is the spool file's mtime (the hook wrote the file the
 * moment the command ended) and its start is that minus `$CMD_DURATION`. A fish record held back
 * while the spool could not be written carries its end (the file's mtime would be too late). A
 * fish command cut off by the shell's exit has no duration: it is dated by its end alone.
 */
export function recordTimes(record: SpoolRecord, fileMtimeUs: bigint): RecordTimes {
  const endUs = record.end !== null ? epochToMicros(record.end) : fileMtimeUs;
  // Neither a start nor a duration (fish, a command cut off by the shell's exit): dated by its end.
  let startUs: bigint;
  if (record.start !== null) startUs = epochToMicros(record.start);
  else if (record.durationMs === null) return { startUs: endUs, endUs: null };
  else startUs = endUs - BigInt(record.durationMs) * 1000n;
  // A clock stepped back mid-command must not make a negative duration.
  return { startUs, endUs: endUs < startUs ? startUs : endUs };
}
