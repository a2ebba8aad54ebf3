/** A remote that is a folder: a mounted share, a synced directory, or a plain path in tests. */
import type { Dirent } from 'node:fs';
import { copyFile, lstat, readdir, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { STALE_PARTIAL_MS, TEMP_SUFFIX, writeFileAtomicWith } from '@bird/core';
import { inSeriesFolder } from '../lake-layout.ts';
import { checkKey, RemoteAccessError, type GetOptions, type RemoteBackend, type RemoteObject } from '../remote-backend.ts';
import type { FileRemoteConfig } from './file-remote-config.ts';

/**
 * What changes when a file is rewritten: every write is a new file renamed into place, so the
 * inode changes even where mtime has a resolution of a second or two (SMB, FAT, some NFS), and
 * nanoseconds tell apart two writes of one second where the filesystem keeps them.
 */
function fileEtag(st: { size: bigint; mtimeNs: bigint; ino: bigint }): string {
  return `${st.size}-${st.mtimeNs}-${st.ino}`;
}

export class FileRemoteBackend implements RemoteBackend {
  readonly location: string;

  constructor(private readonly config: FileRemoteConfig) {
    this.location = config.root;
  }

  async list(prefix: string): Promise<RemoteObject[]> {
    await this.checkRoot();
    // Walk only the folder the prefix points into; S3 prefixes may end mid-name, so filter too.
    const base = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/') + 1) : '';
    if (base !== '') checkKey(base.slice(0, -1));
    const out: RemoteObject[] = [];
    const walk = async (dir: string, keyPrefix: string): Promise<void> => {
      let entries: Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return;
        throw this.failure(error, `cannot list ${dir}`);
      }
      for (const e of entries) {
        const key = keyPrefix + e.name;
        if (e.isDirectory()) {
          if (prefix.startsWith(`${key}/`) || key.startsWith(prefix)) await walk(join(dir, e.name), `${key}/`);
        } else if (e.isFile() && key.startsWith(prefix) && !e.name.endsWith(TEMP_SUFFIX)) {
          // gone between the listing and the stat (removed by its writer): not listed
          const st = await stat(join(dir, e.name), { bigint: true }).catch(() => null);
          if (st) out.push({ key, size: Number(st.size), etag: fileEtag(st) });
        }
      }
    };
    await walk(join(this.config.root, base), base);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async get(key: string, dest: string, options: GetOptions = {}): Promise<number> {
    const source = join(this.config.root, checkKey(key));
    await this.refuseLinks(key);
    let size = 0;
    await writeFileAtomicWith(dest, async (tmp) => {
      try {
        if (options.maxBytes !== undefined && (await stat(source)).size > options.maxBytes) {
          throw new RemoteAccessError('too-large', `${key} in ${this.location} is larger than ${options.maxBytes} bytes.`);
        }
        await copyFile(source, tmp);
      } catch (error) {
        if (error instanceof RemoteAccessError) throw error;
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          await this.checkRoot();
          throw new RemoteAccessError('missing-object', `${key} does not exist in ${this.location}.`, { cause: error });
        }
        throw this.failure(error, `cannot read ${source}`);
      }
      size = (await stat(tmp)).size;
    }, { mode: 0o600, durable: false }); // a mirror copy: fetched again if a crash loses it
    return size;
  }

  async put(key: string, source: string): Promise<void> {
    await this.checkRoot();
    const dest = join(this.config.root, checkKey(key));
    await this.refuseLinks(key);
    try {
      await writeFileAtomicWith(dest, (tmp) => copyFile(source, tmp), { durable: true });
    } catch (error) {
      throw error instanceof RemoteAccessError ? error : this.failure(error, `cannot write ${dest}`);
    }
    await this.sweepPartials(key, dest);
  }

  private readonly swept = new Set<string>();

  /**
   * A push killed mid-copy leaves `.<name>.<pid>.….bird-partial` beside the object (listings skip
   * it; nothing else would ever remove it). A push writes the same objects again after any
   * interruption, so the next one of that client comes back to each folder it was killed in and
   * removes what is stale there: in its series' own folders every partial, elsewhere
   * (`_bird/heads/`, shared by all clients) only those of the object it just wrote. Once per
   * folder per push; never a partial written to within the last hour (a live writer's).
   */
  private async sweepPartials(key: string, dest: string): Promise<void> {
    const dir = dirname(dest);
    const own = inSeriesFolder(key);
    if (own && this.swept.has(dir)) return;
    if (own) this.swept.add(dir);
    const sameObject = `.${basename(dest)}.`;
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      // no folder to sweep (or unreadable): the write itself reports a real problem
      return;
    }
    const now = Date.now();
    for (const name of names) {
      if (!name.endsWith(TEMP_SUFFIX) || !(own || name.startsWith(sameObject))) continue;
      const path = join(dir, name);
      // gone meanwhile (its writer renamed it into place): nothing stale to remove
      const st = await stat(path).catch(() => null);
      // removed by another sweep first: gone either way
      if (st?.isFile() && now - st.mtimeMs > STALE_PARTIAL_MS) await unlink(path).catch(() => undefined);
    }
  }

  async remove(key: string): Promise<void> {
    await this.checkRoot();
    const path = join(this.config.root, checkKey(key));
    await this.refuseLinks(key);
    try {
      await unlink(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // ENOTDIR: a part of the key is a file, so the object cannot exist either.
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw this.failure(error, `cannot delete ${path}`);
    }
  }

  close(): void {}

  /**
   * A lake is written by a whole team: a folder inside it replaced by a symbolic link would send
   * this machine's writes (or reads) wherever the link points. Every part of the key below the
   * root that exists must be a plain folder or file. (The root itself may be a link: the user
   * chose it.) Listings skip links without following them.
   */
  private async refuseLinks(key: string): Promise<void> {
    let path = this.config.root;
    for (const part of key.split('/')) {
      path = join(path, part);
      let link: boolean;
      try {
        link = (await lstat(path)).isSymbolicLink();
      } catch {
        return; // not there (yet): nothing below it is either
      }
      if (link) throw new RemoteAccessError('denied', `${path} in the lake is a symbolic link; a lake must hold no links (one could send writes or reads outside it): replace it with a folder.`);
    }
  }

  private async checkRoot(): Promise<void> {
    let isDir: boolean;
    try {
      isDir = (await stat(this.config.root)).isDirectory();
    } catch (error) {
      throw new RemoteAccessError('no-store', `${this.location} is not reachable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); check the remote's path and that it is mounted.`, { cause: error });
    }
    if (!isDir) throw new RemoteAccessError('no-store', `${this.location} is not a folder; check the remote's path.`);
  }

  private failure(error: unknown, what: string): RemoteAccessError {
    const code = (error as NodeJS.ErrnoException).code;
    const failure = code === 'EACCES' || code === 'EPERM' ? 'denied' : 'other';
    return new RemoteAccessError(failure, `${what} (${code ?? (error as Error).message}); check the folder's permissions.`, { cause: error });
  }
}
