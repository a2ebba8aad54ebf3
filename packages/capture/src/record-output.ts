import { contentUuidv7, redactSecrets, type InvocationRow, type OutputRow } from '@bird/core';
import { blobRefOf, contentHashOf } from '@bird/core/output-blobs';

export const OUTPUT_STREAMS = ['stdout', 'stderr', 'combined'] as const;
export type OutputStream = (typeof OUTPUT_STREAMS)[number];

/** One stream as `bird run` kept it: its head and tail (all of it when it fits), and how much it printed. */
export interface CapturedStream {
  readonly stream: OutputStream;
  readonly kept: Uint8Array;
  /** Every byte the command printed on it, kept or not. */
  readonly byteLength: number;
}

/** Outputs up to this size that are UTF-8 text are stored in their row (`storage_type` 'inline'), larger ones as a blob. */
export const INLINE_MAX_BYTES = 4096;

export interface PlannedOutputs {
  readonly rows: OutputRow[];
  /** The blobs the rows name, to be stored before them: content hash and bytes. */
  readonly blobs: { readonly contentHash: string; readonly bytes: Uint8Array }[];
  /** Each stream's bytes as stored (redacted), for what they say to be parsed from. */
  readonly stored: { readonly stream: OutputStream; readonly bytes: Uint8Array }[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The id of a command's output on one stream: derived from the command's id, so writing it again
 * (a redo, a rerun of `bird redact` that carries outputs to a redacted command) gives the same row.
 */
export function outputRowId(invocation: Pick<InvocationRow, 'id' | 'timestamp'>, stream: string): string {
  return contentUuidv7(Number(invocation.timestamp / 1000n), `${invocation.id}\0output\0${stream}`);
}

/** The text a row can hold: valid UTF-8 without NUL (DuckDB's VARCHAR), else null. */
function inlineText(bytes: Uint8Array): string | null {
  if (bytes.length > INLINE_MAX_BYTES || bytes.includes(0)) return null;
  try {
    return utf8.decode(bytes);
  } catch {
    // not UTF-8 text: a blob keeps the bytes exactly
    return null;
  }
}

/**
 * The secret rules that keep secrets out of stored commands, over what a command printed
 * (`gh auth token` prints one): a match is replaced by `[REDACTED]`, every other byte kept. The
 * bytes are read as Latin-1, one character per byte, so binary output comes back unchanged.
 */
export function redactOutput(bytes: Uint8Array): Uint8Array {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const redacted = redactSecrets(text);
  return redacted === text ? bytes : Buffer.from(redacted, 'latin1');
}

/**
 * The `outputs` rows of a command's streams (an empty stream has none). Deterministic: a row's id
 * comes from its command's and its stream's, so writing them again (a redo) adds nothing.
 */
export function planOutputs(invocation: Pick<InvocationRow, 'id' | 'timestamp' | 'date'>, streams: readonly CapturedStream[]): PlannedOutputs {
  const rows: OutputRow[] = [];
  const blobs: PlannedOutputs['blobs'][number][] = [];
  const stored: PlannedOutputs['stored'][number][] = [];
  for (const s of streams) {
    if (s.byteLength === 0) continue;
    const bytes = redactOutput(s.kept);
    const contentHash = contentHashOf(bytes);
    const text = inlineText(bytes);
    if (text === null) blobs.push({ contentHash, bytes });
    stored.push({ stream: s.stream, bytes });
    rows.push({
      id: outputRowId(invocation, s.stream),
      invocation_id: invocation.id,
      stream: s.stream,
      content_hash: contentHash,
      byte_length: s.byteLength,
      storage_type: text === null ? 'blob' : 'inline',
      storage_ref: text ?? blobRefOf(contentHash),
      date: invocation.date,
    });
  }
  return { rows, blobs, stored };
}
