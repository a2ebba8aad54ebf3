import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync, constants } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** Folder for the half-written file; must be on the same filesystem as `path` and outside any reader glob. */
  tmpDir: string;
  /** Permission bits of the new file. */
  mode?: number;
}

let tmpCounter = 0;

/** Unique among live processes: pid, a nanosecond clock and a counter; O_EXCL refuses any clash. No `node:crypto`, which is slow to load. */
const uniqueSuffix = () => `${process.pid}.${process.hrtime.bigint().toString(36)}.${(tmpCounter++).toString(36)}`;

/**
 * Writes `data` so that `path` either does not change or holds all of it: the bytes go to a
 * file in `tmpDir` (named so no `*.parquet` glob matches it), are fsynced, then renamed over
 * `path`, and the folder is fsynced so the rename survives a crash.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string, options: AtomicWriteOptions): void {
  mkdirSync(options.tmpDir, { recursive: true, mode: 0o700 });
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = join(options.tmpDir, `${basename(path)}.${uniqueSuffix()}.partial`);
  const fd = openSync(tmp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, options.mode ?? 0o600);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(tmp);
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (error) {
    try {
      unlinkSync(tmp);
    } catch {
      // the rename error is the one worth reporting
    }
    throw error;
  }
  fsyncDir(dirname(path));
}

export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, constants.O_RDONLY);
    fsyncSync(fd);
  } catch {
    // some filesystems refuse to fsync a directory; the rename itself is still atomic
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
