/**
 * What a remote lake store must do, whatever it is: list objects under a prefix, copy one
 * object to a local file, store a local file as an object, and delete one. `file/` and `s3/` implement
 * it; the mirror (read layer) and push/pull (sync) are written against this alone.
 *
 * Keys are relative to the remote's root (the folder, or the S3 prefix) and use `/`.
 */
import { BirdError } from '@bird/core';

export interface RemoteObject {
  /** Relative to the remote's root, e.g. `invocations/client=u@h/date=2024-06-01/<batch>.parquet`. */
  readonly key: string;
  readonly size: number;
  /** Changes when the bytes change (S3's ETag without quotes; size and mtime for a folder). */
  readonly etag: string;
}

export interface RemoteBackend {
  /** Where this remote is, for messages: a folder, or `s3://bucket/prefix at <endpoint>`. */
  readonly location: string;
  /** Every object whose key starts with `prefix` (`''` for all), sorted by key. */
  list(prefix: string): Promise<RemoteObject[]>;
  /**
   * Copies object `key` to the local file `dest` atomically: `dest` either keeps what it had
   * or holds every byte of the object, never part of it. Returns the number of bytes. An object
   * larger than `maxBytes` is refused before it is read (failure `too-large`).
   */
  get(key: string, dest: string, options?: GetOptions): Promise<number>;
  /** Stores the local file `source` as object `key`; readers see the whole object or none. */
  put(key: string, source: string): Promise<void>;
  /** Deletes object `key`; a key that is not there is not an error (the end state is the same). */
  remove(key: string): Promise<void>;
  /** Releases sockets and handles; the backend is unusable afterwards. */
  close(): void;
}

export interface GetOptions {
  readonly maxBytes?: number;
}

/** `no-credentials`: none were found, so no request was sent (nothing is known of the remote); `denied`: the remote refused. */
export const REMOTE_FAILURES = ['unreachable', 'no-store', 'denied', 'no-credentials', 'missing-object', 'too-large', 'bad-config', 'other'] as const;
export type RemoteFailure = (typeof REMOTE_FAILURES)[number];

/** A remote operation that failed; `message` is one sentence that says what to check. */
export class RemoteAccessError extends BirdError {
  constructor(
    readonly failure: RemoteFailure,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = 'RemoteAccessError';
  }
}

/**
 * Refuses keys that could leave the remote's root once joined to a local path, or that a
 * store treats specially: empty segments, `.`/`..`, backslashes and NUL.
 */
export function checkKey(key: string): string {
  const bad = key === '' || key.includes('\\') || key.includes('\0') || key.split('/').some((s) => s === '' || s === '.' || s === '..');
  if (bad) throw new RemoteAccessError('bad-config', `${JSON.stringify(key)} is not a valid object key (empty, ".", ".." or "\\" parts are refused).`);
  return key;
}
