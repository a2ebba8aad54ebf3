/**
 * The one reading of a remote's `uri`, for `bird remote add` (which stores its canonical form)
 * and for config.toml as a person may write it by hand. A file remote is a folder; an S3
 * remote a bucket and a key prefix. A `.duckdb` file is a DuckDB database remote (the seed's
 * form): read-only here, never pushed to.
 */
import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BirdError, type RemoteType } from '@bird/core';

export type ParsedRemoteUri =
  | { readonly type: 'file'; readonly root: string; readonly database: boolean; readonly canonical: string }
  | { readonly type: 's3'; readonly bucket: string; readonly prefix: string; readonly database: boolean; readonly canonical: string };

/** An unusable uri, in one sentence saying how to write it. */
export class RemoteUriError extends BirdError {}

/** S3 bucket names: 3–63 lower-case letters, digits, `.` and `-`, starting and ending alphanumeric. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export interface UriContext {
  /** What a relative folder is relative to: the user's cwd for `remote add`, the root for config.toml. */
  readonly cwd: string;
  readonly home?: string;
}

export function parseRemoteUri(type: RemoteType, uri: string, context: UriContext): ParsedRemoteUri {
  if (uri === '') throw new RemoteUriError('the uri is empty: give a folder (file) or s3://bucket/prefix (s3).');
  if (CONTROL.test(uri)) throw new RemoteUriError('the uri cannot contain control characters such as newlines.');
  if (type === 'file') {
    let path: string;
    if (uri.startsWith('file://')) {
      try {
        path = fileURLToPath(uri);
      } catch {
        throw new RemoteUriError(`${JSON.stringify(uri)} is not a file:// URL of a local folder; write the folder as /path/to/lake.`);
      }
    } else if (uri === '~' || uri.startsWith('~/')) {
      path = resolve(context.home ?? homedir(), `.${uri.slice(1)}`);
    } else {
      path = isAbsolute(uri) ? resolve(uri) : resolve(context.cwd, uri);
    }
    return { type: 'file', root: path, database: path.endsWith('.duckdb'), canonical: path };
  }
  const m = /^s3:\/\/([^/]*)(\/.*)?$/.exec(uri);
  if (!m || !BUCKET.test(m[1]!) || m[1]!.includes('..')) {
    throw new RemoteUriError(`an s3 remote's uri must look like s3://bucket or s3://bucket/prefix (bucket: 3-63 lower-case letters, digits, "." or "-"), not ${JSON.stringify(uri)}.`);
  }
  const rest = (m[2] ?? '').replace(/\/+$/, '');
  if (rest.split('/').slice(1).some((part) => part === '' || part === '.' || part === '..')) {
    throw new RemoteUriError(`the prefix in ${JSON.stringify(uri)} has an empty, "." or ".." part; write it as s3://bucket/a/b.`);
  }
  const key = rest.slice(1);
  const database = key.endsWith('.duckdb');
  return { type: 's3', bucket: m[1]!, prefix: key === '' || database ? key : `${key}/`, database, canonical: `s3://${m[1]}${rest}` };
}
