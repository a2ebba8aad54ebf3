import { MERGED_PREFIX, sha256, toHex, type TableName } from '@bird/core';
import type { CompactionJob } from '../storage-mode.ts';

export type { CompactionJob };

/** One `date=` folder of one table, as the compactor found it. */
export interface PartitionListing {
  readonly table: TableName;
  /** `YYYY-MM-DD`, from the folder name. */
  readonly date: string;
  readonly dir: string;
  /** The finished `.parquet` files in it (placeholders and temporary files already left out). */
  readonly files: readonly ListedFile[];
}

export interface ListedFile {
  readonly name: string;
  readonly size: number;
  readonly mtimeMs: number;
}

export interface CompactionPolicy {
  /** Today's partition is merged once it has this many small files; a closed day, any two. */
  readonly minFiles: number;
  /** Files younger than this are left alone: their capture may still be retried beside them. */
  readonly minAgeMs: number;
  /** Outputs are cut at about this many input bytes; a file at half of it or more counts as merged already. */
  readonly targetBytes: number;
}

export { MERGED_PREFIX };

/**
 * What to merge. Pure: listings, the time and the policy in, jobs out.
 *
 * - A closed day (before `today`, UTC) ends as one file: all its files, once two or more are old
 *   enough, whatever their size.
 * - Today (or a later date, from a skewed clock) is merged as it grows: once `minFiles` small
 *   files are old enough, they go into outputs of about `targetBytes` each.
 */
export function planCompaction(partitions: readonly PartitionListing[], now: { readonly ms: number; readonly today: string }, policy: CompactionPolicy): CompactionJob[] {
  const jobs: CompactionJob[] = [];
  for (const p of partitions) {
    // 0 means no age limit (mtimes have sub-millisecond precision, so a file can look 0.5 ms younger than "now").
    const settled = p.files.filter((f) => policy.minAgeMs <= 0 || now.ms - f.mtimeMs >= policy.minAgeMs).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (p.date < now.today) {
      if (settled.length >= 2) jobs.push(job(p, settled));
      continue;
    }
    const small = settled.filter((f) => f.size < policy.targetBytes / 2);
    if (small.length < policy.minFiles) continue;
    let group: ListedFile[] = [];
    let bytes = 0;
    for (const file of small) {
      if (group.length >= 2 && bytes + file.size > policy.targetBytes) {
        jobs.push(job(p, group));
        group = [];
        bytes = 0;
      }
      group.push(file);
      bytes += file.size;
    }
    if (group.length >= 2) jobs.push(job(p, group));
  }
  return jobs;
}

function job(p: PartitionListing, files: readonly ListedFile[]): CompactionJob {
  const inputs = files.map((f) => f.name);
  return { table: p.table, date: p.date, dir: p.dir, inputs, output: `${MERGED_PREFIX}${toHex(sha256(inputs.join('\n'))).slice(0, 20)}.parquet` };
}
