/**
 * A database remote (its uri names a `.duckdb` file, the seed's form) as a local file DuckDB can
 * attach. A file remote is its own path. An S3 one is downloaded into `db/mirror/<name>/` when
 * its ETag changed since the last download, and read from there: one listing request when it has
 * not changed. The copy lands by rename, so a reader never attaches half a file.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { makeDirs, type BirdLayout, type RemoteConfig } from '@bird/core';
import { RemoteAccessError, createRemoteBackend, fileRemoteRoot, parseRemoteUri, type BackendOptions } from '@bird/remote';
import { mirrorDir } from './mirror.ts';

export interface DatabaseCopy {
  /** The file to ATTACH (READ_ONLY). */
  readonly path: string;
  /** Changes whenever the database's content may have changed (S3's ETag; size and mtime of a file and its WAL). */
  readonly etag: string;
  /** Bytes downloaded to make this copy (0: already current, or a file remote). */
  readonly downloaded: number;
}

/** True when the remote's uri names a DuckDB database rather than a lake. */
export function isDatabaseRemote(config: RemoteConfig, layout: BirdLayout): boolean {
  try {
    return parseRemoteUri(config.type, config.uri, { cwd: layout.root }).database;
  } catch {
    // a uri that does not parse is reported by whatever uses the remote
    return false;
  }
}

export async function databaseCopy(layout: BirdLayout, config: RemoteConfig, options: BackendOptions = {}): Promise<DatabaseCopy> {
  if (config.type === 'file') {
    const path = fileRemoteRoot(config.uri, layout.root);
    if (!existsSync(path)) throw new RemoteAccessError('missing-object', `${path} does not exist; check the remote's uri.`);
    return { path, etag: `${statTag(path)}/${statTag(`${path}.wal`)}`, downloaded: 0 };
  }
  const parsed = parseRemoteUri('s3', config.uri, { cwd: layout.root });
  if (parsed.type !== 's3') throw new Error('unreachable: an s3 uri parsed as another type');
  const key = basename(parsed.prefix);
  const folder = parsed.prefix.slice(0, parsed.prefix.length - key.length).replace(/\/$/, '');
  const backend = await createRemoteBackend({ ...config, uri: `s3://${parsed.bucket}${folder ? `/${folder}` : ''}` }, options);
  try {
    const object = (await backend.list(key)).find((o) => o.key === key);
    if (!object) throw new RemoteAccessError('missing-object', `${parsed.canonical} does not exist; check the remote's uri.`);
    // Named by source and ETag: two processes downloading different versions at once can never
    // leave a file under the other version's name.
    const dir = mirrorDir(layout, config.name);
    const name = `database-${createHash('sha256').update(`${parsed.canonical}\n${object.etag}`).digest('hex').slice(0, 24)}.duckdb`;
    const path = join(dir, name);
    if (existsSync(path)) return { path, etag: object.etag, downloaded: 0 };
    makeDirs(dir);
    const downloaded = await backend.get(key, path);
    // Older versions go; a reader that has one attached keeps reading it (the inode lives on).
    for (const other of readdirSync(dir)) if (/^database-[0-9a-f]+\.duckdb(\.wal)?$/.test(other) && !other.startsWith(name)) rmSync(join(dir, other), { force: true });
    return { path, etag: object.etag, downloaded };
  } finally {
    backend.close();
  }
}

function statTag(path: string): string {
  const st = statSync(path, { throwIfNoEntry: false });
  return st ? `${st.size}-${st.mtimeMs}-${st.ino}` : '-';
}
