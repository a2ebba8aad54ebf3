/**
 * `bird redact` over what commands printed: the secret rules capture runs over output text before
 * it reaches disk (record-output.ts, redactOutput), run again over the outputs stored here, inline
 * texts and blobs alike. An output a rule now changes is stored again as capture would store it
 * today (new content hash; a blob when it is one), under the command's redacted form.
 */
import { quoteLiteral, type BirdLayout, type InvocationRow, type OutputRow } from '@bird/core';
import { readBlob } from '@bird/core/output-blobs';
import { planOutputs, redactOutput, type OutputStream, type PlannedOutputs } from '@bird/capture/record-output';
import type { BirdConnection } from '@bird/store';
import { dayRanges } from './day-ranges.ts';

/** Distinct outputs looked at per query: bounded memory (an inline text is at most 4 KiB) whatever the store's size. */
const OUTPUTS_PER_READ = 10_000;
/** Hashes per `IN (…)` list. */
const HASHES_PER_LIST = 1000;

const OUTPUT_DAY_COUNTS_SQL = `SELECT CAST("date" AS VARCHAR) AS d, count(*) FROM local.outputs WHERE "date" IS NOT NULL GROUP BY d ORDER BY d`;
const CONTENTS_OF_DAYS = (first: string, last: string) => `SELECT DISTINCT content_hash, storage_type, storage_ref FROM local.outputs
  WHERE "date" BETWEEN CAST(${quoteLiteral(first)} AS DATE) AND CAST(${quoteLiteral(last)} AS DATE) AND content_hash IS NOT NULL AND storage_ref IS NOT NULL`;

/** The bytes a stored output holds: its inline text, or its blob; null (said once) when its blob cannot be read. */
export function storedContent(layout: BirdLayout, storageType: string | null, storageRef: string, warn: (message: string) => void): Uint8Array | null {
  if (storageType !== 'blob') return Buffer.from(storageRef, 'utf8');
  try {
    return readBlob(layout, storageRef);
  } catch (error) {
    // One unreadable blob never stops the rest: it is said, and left as it is.
    warn(`${(error as Error).message} Its output was not checked for secrets.`);
    return null;
  }
}

/** True when today's secret rules change these bytes: capture would have stored them otherwise. */
export function holdsSecret(bytes: Uint8Array): boolean {
  return redactOutput(bytes) !== bytes;
}

/**
 * The content hashes of the outputs stored here (this machine's: a teammate's is theirs to
 * redact) that hold a secret today's rules recognise. Each distinct content is read once.
 */
export async function secretOutputHashes(conn: Pick<BirdConnection, 'query'>, layout: BirdLayout, warn: (message: string) => void): Promise<Set<string>> {
  const found = new Set<string>();
  const seen = new Set<string>();
  const counts = (await conn.query(OUTPUT_DAY_COUNTS_SQL)).rows.map((r) => [String(r[0]), Number(r[1])] as const);
  for (const [first, last] of dayRanges(counts, OUTPUTS_PER_READ)) {
    for (const [hash, type, ref] of (await conn.query(CONTENTS_OF_DAYS(first, last))).rows) {
      const key = `${String(hash)}\0${String(type)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const bytes = storedContent(layout, type === null ? null : String(type), String(ref), warn);
      if (bytes !== null && holdsSecret(bytes)) found.add(String(hash));
    }
  }
  return found;
}

/** The ids of the commands stored here that printed one of `hashes`. */
export async function commandsPrinting(conn: Pick<BirdConnection, 'query'>, hashes: ReadonlySet<string>): Promise<string[]> {
  const list = [...hashes];
  const ids = new Set<string>();
  for (let i = 0; i < list.length; i += HASHES_PER_LIST) {
    const of = list.slice(i, i + HASHES_PER_LIST).map(quoteLiteral).join(', ');
    for (const [id] of (await conn.query(`SELECT DISTINCT invocation_id FROM local.outputs WHERE content_hash IN (${of})`)).rows) if (id !== null) ids.add(String(id));
  }
  return [...ids];
}

/**
 * A stored output of a redacted command, as it goes with the command's redacted form `to`: its
 * content redacted as capture would store it today (the rows' true `byte_length` kept), or
 * null when there is nothing to redact in it (the caller carries it as it is).
 */
export function redactedOutput(to: Pick<InvocationRow, 'id' | 'timestamp' | 'date'>, stream: string, byteLength: number | null, bytes: Uint8Array): { row: OutputRow; blobs: PlannedOutputs['blobs'] } | null {
  if (!holdsSecret(bytes)) return null;
  // A stream name this bird does not know is kept as it was: the row is redacted all the same.
  const planned = planOutputs(to, [{ stream: stream as OutputStream, kept: bytes, byteLength: byteLength ?? bytes.length }]);
  const [row] = planned.rows;
  return row === undefined ? null : { row, blobs: planned.blobs };
}
