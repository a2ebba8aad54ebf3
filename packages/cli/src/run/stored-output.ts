import { BirdError, quoteLiteral, type BirdLayout } from '@bird/core';
import { contentHashOf, readBlob } from '@bird/core/output-blobs';
import { OMITTED_STORAGE } from '@bird/capture/passive-outputs';
import type { BirdConnection } from '@bird/store';

/** An `outputs` row as read back (untrusted: any of it may be missing or wrong). */
export interface StoredOutput {
  readonly stream: string | null;
  readonly storageType: string | null;
  readonly storageRef: string | null;
  readonly contentHash: string | null;
  readonly byteLength: number | null;
}

/**
 * The bytes an output row stores (its head and tail when it was cut), checked against its hash;
 * a blob's read by `blobBytes` (default: this store's, checked against its name).
 */
export function bytesOfOutput(layout: BirdLayout, row: StoredOutput, blobBytes: (ref: string) => Buffer = (ref) => readBlob(layout, ref)): Buffer {
  if (row.storageRef === null) throw new BirdError(`an output row of this command names no content; the row is damaged, \`bird forget\` the command.`);
  let bytes: Buffer;
  // Printed and deliberately not kept (a full-screen program's drawing): nothing to show.
  if (row.storageType === OMITTED_STORAGE) return Buffer.alloc(0);
  if (row.storageType === 'inline') bytes = Buffer.from(row.storageRef, 'utf8');
  else if (row.storageType === 'blob') bytes = blobBytes(row.storageRef);
  else throw new BirdError(`an output row of this command is stored as ${JSON.stringify(row.storageType)}, which this bird cannot read; update bird.`);
  if (row.contentHash !== null && contentHashOf(bytes) !== row.contentHash) throw new BirdError(`an output of this command does not match its content_hash; it is damaged, \`bird forget\` the command.`);
  return bytes;
}

/** The order a command's streams are printed in. */
const STREAM_ORDER = "CASE stream WHEN 'stdout' THEN 0 WHEN 'combined' THEN 1 ELSE 2 END";

/**
 * The `outputs` rows of command `id` (of `stream` when given), stdout first, from `main.outputs`
 * or another relation of outputs rows (`remotes_outputs()`, with `where` to pick one source).
 */
export async function outputRowsOf(conn: BirdConnection, id: string, stream?: string, from = 'main.outputs', where = 'true'): Promise<StoredOutput[]> {
  const only = stream === undefined ? '' : `AND stream = ${quoteLiteral(stream)}`;
  const result = await conn.query(
    `SELECT DISTINCT stream, storage_type, storage_ref, content_hash, byte_length, ${STREAM_ORDER} AS o FROM ${from} WHERE invocation_id = ${quoteLiteral(id)} AND ${where} ${only} ORDER BY o`,
  );
  return result.rows.map((r) => ({
    stream: r[0] === null ? null : String(r[0]),
    storageType: r[1] === null ? null : String(r[1]),
    storageRef: r[2] === null ? null : String(r[2]),
    contentHash: r[3] === null ? null : String(r[3]),
    byteLength: r[4] === null ? null : Number(r[4]),
  }));
}
