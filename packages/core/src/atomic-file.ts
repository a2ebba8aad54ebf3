/**
 * The one way BIRD writes a file that readers may see: whole or not at all. The bytes go to a
 * temporary file whose name no reader glob matches (it never ends in `.parquet`; DuckDB globs
 * match dot-files too, so hiding it is not enough), are fsynced, and the file is renamed over
 * the destination; then the folder is fsynced so the rename survives a crash.
 *
 * The temporary file lives in `tmpDir` when given (`db/tmp`, on the root's filesystem, where a
 * crash's leftovers are easy to sweep), else beside the destination as a hidden sibling (a
 * remote lake or a mirror, which may be on another filesystem than the root).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, constants, fsyncSync, linkSync, mkdirSync, openSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { open, rename, rm, chmod } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** Folder for the temporary file; must be on the same filesystem as the destination. */
  tmpDir?: string;
  /** Permission bits of the new file (default 0600 for bytes written here; the filler's choice otherwise). */
  mode?: number;
  /** fsync the file and its folder (default true); a cache that can be fetched again may skip it. */
  durable?: boolean;
}

/** What every temporary file's name ends with, so listings can skip (and sweepers find) them. */
export const TEMP_SUFFIX = '.bird-partial';

/**
 * A temporary file beside its destination (a lake, a mirror: no pid of another machine can be
 * checked there) that has not been written to for this long belongs to a writer that died: no
 * single file takes an hour to copy, and an hour covers clocks that disagree on a shared folder.
 */
export const STALE_PARTIAL_MS = 60 * 60 * 1000;

let tmpCounter = 0;

/** A temporary path for `dest`: unique among live processes (pid, a nanosecond clock, a counter); no `node:crypto`, which is slow to load. */
export function tempPathFor(dest: string, tmpDir?: string): string {
  const unique = `${process.pid}.${process.hrtime.bigint().toString(36)}.${(tmpCounter++).toString(36)}`;
  return tmpDir ? join(tmpDir, `${basename(dest)}.${unique}${TEMP_SUFFIX}`) : join(dirname(dest), `.${basename(dest)}.${unique}${TEMP_SUFFIX}`);
}

/** Writes `data` to `path` atomically (see the module comment). */
export function writeFileAtomic(path: string, data: Uint8Array | string, options: AtomicWriteOptions = {}): void {
  const tmp = writeTemporary(path, data, options);
  publish(tmp, path);
  if (options.durable !== false) fsyncDir(dirname(path));
}

/**
 * Like writeFileAtomic, but only when `path` does not exist yet: the complete file is linked in
 * place, which fails rather than replaces. Returns false, writing nothing, when another
 * process got there first (two first commands in a new root, or a first capture racing
 * `bird remote add`, must not overwrite each other's config.toml).
 */
export function createFileAtomic(path: string, data: Uint8Array | string, options: AtomicWriteOptions = {}): boolean {
  const tmp = writeTemporary(path, data, options);
  try {
    linkSync(tmp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      unlinkSync(tmp);
      throw error;
    }
    unlinkSync(tmp);
    return false;
  }
  unlinkSync(tmp);
  if (options.durable !== false) fsyncDir(dirname(path));
  return true;
}

/** The complete file under a temporary name, durable unless asked otherwise. */
function writeTemporary(path: string, data: Uint8Array | string, options: AtomicWriteOptions): string {
  if (options.tmpDir) mkdirSync(options.tmpDir, { recursive: true, mode: 0o700 });
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = tempPathFor(path, options.tmpDir);
  const fd = openSync(tmp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, options.mode ?? 0o600);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    if (options.durable !== false) fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(tmp);
    throw error;
  }
  closeSync(fd);
  return tmp;
}

/**
 * The async form, for bytes another writer produces: `fill(tmp)` writes the temporary file
 * (a DuckDB COPY, a download), then it is made durable and renamed over `dest`. `fill` returns
 * false when what it wrote must not be published after all (nothing to add); then, as on any
 * failure, `dest` is untouched and the temporary file removed. Returns whether `dest` was written.
 */
export async function writeFileAtomicWith(dest: string, fill: (tmp: string) => Promise<void | boolean>, options: AtomicWriteOptions = {}): Promise<boolean> {
  if (options.tmpDir) mkdirSync(options.tmpDir, { recursive: true, mode: 0o700 });
  mkdirSync(dirname(dest), { recursive: true, mode: 0o700 });
  const tmp = tempPathFor(dest, options.tmpDir);
  try {
    if ((await fill(tmp)) === false) {
      await rm(tmp, { force: true });
      return false;
    }
    if (options.mode !== undefined) await chmod(tmp, options.mode);
    if (options.durable !== false) {
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
  if (options.durable !== false) fsyncDir(dirname(dest));
  return true;
}

/**
 * Many files at once, each whole or absent, for a bulk writer (an import of years of history is
 * a file per day). fsyncing each file and its folder costs two disk flushes per file (~0.9 s of
 * a 100,000-entry import); here every file is written first, the filesystem is flushed once
 * (`sync -f`, i.e. syncfs), all are renamed into place, and it is flushed once more for the
 * renames. Where `sync -f` is not available, each file is fsynced as writeFileAtomic does.
 * A crash leaves some files published and some not, never one half-written.
 */
export function writeFilesAtomic(files: readonly { path: string; data: Uint8Array | string }[], options: Omit<AtomicWriteOptions, 'durable'> = {}): void {
  const staged = new StagedFiles(options);
  try {
    staged.stage(files);
    staged.publish();
  } finally {
    staged.discard();
  }
}

/**
 * writeFilesAtomic over several calls: `stage` writes files whole under temporary names, and
 * `publish` makes all staged so far durable and renames them in, with the two flushes of the
 * filesystem that writeFilesAtomic spends on each call. A bulk writer that stages a batch at a
 * time and publishes every few batches flushes that many times fewer (an import of a million
 * entries staged 50 batches: 100 flushes, ~2 s). Until published, no reader sees a staged file;
 * `discard` removes those left (a failure), and a killed process leaves them in `tmpDir`.
 */
export class StagedFiles {
  private staged: { tmp: string; path: string }[] = [];

  constructor(private readonly options: Omit<AtomicWriteOptions, 'durable'> = {}) {}

  stage(files: readonly { path: string; data: Uint8Array | string }[]): void {
    if (files.length === 0) return;
    if (this.options.tmpDir) mkdirSync(this.options.tmpDir, { recursive: true, mode: 0o700 });
    for (const { path, data } of files) {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      const tmp = tempPathFor(path, this.options.tmpDir);
      this.staged.push({ tmp, path });
      writeFileAtomicBytes(tmp, data, this.options.mode ?? 0o600);
    }
  }

  publish(): void {
    const staged = this.staged;
    if (staged.length === 0) return;
    const flushed = syncFilesystem(staged[0]!.tmp);
    if (!flushed) for (const { tmp } of staged) fsyncPath(tmp);
    for (const { tmp, path } of staged) renameSync(tmp, path);
    this.staged = [];
    if (!flushed || !syncFilesystem(staged[0]!.path)) for (const dir of new Set(staged.map((f) => dirname(f.path)))) fsyncDir(dir);
  }

  /** Removes the staged files not published. */
  discard(): void {
    for (const { tmp } of this.staged) rmSync(tmp, { force: true });
    this.staged = [];
  }
}

function writeFileAtomicBytes(path: string, data: Uint8Array | string, mode: number): void {
  const fd = openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, mode);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
  } finally {
    closeSync(fd);
  }
}

function fsyncPath(path: string): void {
  const fd = openSync(path, constants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** syncfs(2) of the filesystem holding `path`, through coreutils' `sync -f`; false where that is not available. */
function syncFilesystem(path: string): boolean {
  return spawnSync('sync', ['-f', path], { stdio: 'ignore' }).status === 0;
}

function publish(tmp: string, path: string): void {
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
