/**
 * Writing a whole file or nothing: bytes go to a hidden sibling named `.<name>.<unique>.bird-partial`
 * (same folder, so the rename is atomic; never a `.parquet` name, so no reader glob sees it
 * half-written), which is renamed over the destination once complete.
 */
import { open, chmod, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fsyncDir, makeDirs } from '@bird/core';

export const PARTIAL_SUFFIX = '.bird-partial';

let counter = 0;

export function partialPathFor(dest: string): string {
  const unique = `${process.pid}.${process.hrtime.bigint().toString(36)}.${(counter++).toString(36)}`;
  return join(dirname(dest), `.${basename(dest)}.${unique}${PARTIAL_SUFFIX}`);
}

export interface PartialWriteOptions {
  /** Permission bits of the finished file; default: the process umask's choice. */
  readonly mode?: number;
  /** fsync the file and its folder, so the rename survives a crash (a remote lake wants this; a re-checkable mirror does not). */
  readonly durable?: boolean;
}

/** Runs `fill(tmp)` to write the bytes, then renames `tmp` to `dest`; on any failure `dest` is untouched and `tmp` removed. */
export async function writeViaPartial(dest: string, fill: (tmp: string) => Promise<void>, options: PartialWriteOptions = {}): Promise<void> {
  makeDirs(dirname(dest));
  const tmp = partialPathFor(dest);
  try {
    await fill(tmp);
    if (options.mode !== undefined) await chmod(tmp, options.mode);
    if (options.durable) {
      const handle = await open(tmp, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    await rename(tmp, dest);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  if (options.durable) fsyncDir(dirname(dest));
}
