/**
 * `db/tmp/`: what processes write before it is in place, and DuckDB's spill files. A process
 * killed mid-way (kill -9, the OOM killer, a crash on a full disk) leaves its part behind, and
 * nothing else would ever remove it; each name says whose it is, so whoever finds the owner gone
 * removes it. Never a file of a live process: the owner's pid (and, for DuckDB, its start time)
 * must name no running process.
 *
 *   <name>.<pid>.<clock>.<n>.bird-partial   a file being written (atomic-file.ts)
 *   import-<pid>-<n>.parquet                 duckdb-mode import's batches (packages/import)
 *   duckdb-<pid>-<start time>/               one DuckDB instance's temp_directory
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TEMP_SUFFIX } from './atomic-file.ts';
import type { BirdLayout } from './paths.ts';
import { isHolderAlive, processStartTime } from './process-liveness.ts';

/**
 * The `temp_directory` for a DuckDB instance of this process. Its own folder under `db/tmp`:
 * DuckDB's default is `.tmp` in the working directory for an in-memory database (a user's
 * folder, or cron's), and `bird.duckdb.tmp` shared by every reader of the catalog, where two
 * processes spilling at once write the same file names (measured here: both crash).
 */
export function duckdbTempOptions(layout: BirdLayout): { temp_directory: string } {
  return { temp_directory: join(layout.tmp, `duckdb-${process.pid}-${processStartTime(process.pid) ?? '-'}`) };
}

/** Whose an entry of `db/tmp` is: `[pid, start time]`, or null for a name no process owns. */
export function ownerOfTemporary(name: string): [pid: string, started: string] | null {
  const duckdb = /^duckdb-([0-9]+)-([0-9]+|-)$/.exec(name);
  if (duckdb) return [duckdb[1]!, duckdb[2]!];
  const imported = /^import-([0-9]+)-[0-9]+\.parquet$/.exec(name);
  if (imported) return [imported[1]!, '-'];
  if (name.endsWith(TEMP_SUFFIX)) {
    const pid = name.split('.').at(-4) ?? '';
    if (/^[0-9]+$/.test(pid)) return [pid, '-'];
  }
  return null;
}

/** Removes what processes that are gone left in `db/tmp`; returns the names removed. Cheap when it is empty (one listing). */
export function sweepDeadTemporaries(layout: BirdLayout): string[] {
  return sweepDeadTemporariesIn(layout.tmp);
}

/**
 * The same, in another folder a writer writes beside its target (a file written there by an
 * older bird, or one whose folder is its own: the history index's).
 */
export function sweepDeadTemporariesIn(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    // no such folder yet: nothing to sweep
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const owner = ownerOfTemporary(name);
    if (!owner || isHolderAlive(`${owner[0]} - ${owner[1]}`)) continue;
    try {
      rmSync(join(dir, name), { recursive: true, force: true });
      removed.push(name);
    } catch {
      // removed by another sweeper, or not ours to remove: left for the next one
    }
  }
  return removed;
}
