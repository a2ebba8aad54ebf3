// The files of `db/history-index/`, named once. See README.md beside this package for how
// they fit together and why the index never misses a stored command.
import { join } from 'node:path';

export interface IndexFiles {
  readonly dir: string;
  /** Everything the store held at the last rebuild. */
  readonly snapshot: string;
  /** Rows stored since, one JSON line each, appended by every process that stores rows. */
  readonly journal: string;
  /** A rebuild's lock: one rebuild at a time. */
  readonly lock: string;
}

export function indexFiles(dir: string): IndexFiles {
  return { dir, snapshot: join(dir, 'snapshot.bhi'), journal: join(dir, 'journal.jsonl'), lock: join(dir, 'rebuild.lock') };
}

/** A journal a rebuild has taken out of the way: `journal-<uuid>.absorbing`. */
export const ABSORBING = /^journal-[0-9a-f-]+\.absorbing$/;
export const absorbingName = (uuid: string) => `journal-${uuid}.absorbing`;

/**
 * `stale-<uuid>`: rows were added to or removed from the store by a process that rebuilds the
 * index afterwards; while one exists the index may miss them, so readers rebuild first.
 */
export const STALE = /^stale-[0-9a-f-]+$/;
export const staleName = (uuid: string) => `stale-${uuid}`;
