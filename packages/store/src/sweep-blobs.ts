/**
 * After a removal (a forget, the search's forget key, a redact, a retention, a teammate's forget
 * applied by a pull and swept by the next compaction), the blobs of what removed commands printed
 * go too: every blob that no
 * `outputs` row stored here names (local or pulled), nor a `bird run` that died before its rows
 * were all written (its redo record, run-pending.ts), is deleted. Under the blobs lock, which
 * `bird run` holds from writing a blob to writing the rows that name it, so a blob a run is
 * about to name is never taken for an unnamed one.
 */
import { waitForLock, type BirdLayout } from '@bird/core';
import { BLOBS_LOCK_WAIT_MS, deleteBlobs, listBlobRefs } from '@bird/core/output-blobs';
import { ConnectionOptions, type BirdConnection } from './api.ts';
import { openStore } from './store.ts';
import { readPending } from './run-pending.ts';


/** Blobs no row names (pure): what is on disk, less what rows and redo records name. */
export function unreferencedBlobs(onDisk: readonly string[], named: ReadonlySet<string>): string[] {
  return onDisk.filter((ref) => !named.has(ref));
}

/** Deletes the blobs nothing names; returns how many, or null when a run held the blobs for too long (the next forget does it). */
export async function sweepBlobs(layout: BirdLayout, conn: Pick<BirdConnection, 'query'>, warn: (message: string) => void): Promise<number | null> {
  const lock = await waitForLock(layout.blobsLock, BLOBS_LOCK_WAIT_MS);
  if (!lock) return null;
  try {
    const onDisk = listBlobRefs(layout);
    if (onDisk.length === 0) return 0;
    const { rows } = await conn.query(`SELECT DISTINCT storage_ref FROM main.outputs WHERE storage_type = 'blob' AND storage_ref IS NOT NULL`);
    const named = new Set(rows.map((r) => String(r[0])));
    for (const { command } of readPending(layout, warn)) for (const o of command.outputs ?? []) if (o.storage_type === 'blob' && o.storage_ref) named.add(o.storage_ref);
    return deleteBlobs(layout, unreferencedBlobs(onDisk, named));
  } finally {
    lock.release();
  }
}

/**
 * sweepBlobs through a connection of its own, opened only when there is a blob at all (most
 * stores have none). Returns how many were deleted, or null when a run held the blobs too long.
 */
export async function sweepBlobsOfStore(layout: BirdLayout, warn: (message: string) => void): Promise<number | null> {
  if (listBlobRefs(layout).length === 0) return 0;
  const conn = await openStore(layout, { onWarning: warn }).connect(ConnectionOptions.minimal());
  try {
    return await sweepBlobs(layout, conn, warn);
  } finally {
    conn.close();
  }
}
