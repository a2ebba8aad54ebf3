import { RemoteAccessError } from '../remote-backend.ts';

export interface S3RemoteConfig {
  readonly bucket: string;
  /** Key prefix of the lake inside the bucket: `''`, or ending in `/`. */
  readonly prefix: string;
  /** An S3-compatible endpoint (MinIO, R2, s3rver…); addressed path-style. Unset: AWS itself. */
  readonly endpoint?: string;
  readonly region?: string;
  /**
   * Bound on connecting, and on any silence while a request runs, in ms (default 3000). With
   * one retry, an unreachable endpoint costs a connection a few seconds, never a hang.
   */
  readonly timeoutMs?: number;
}

/** `s3://bucket` or `s3://bucket/some/prefix` → bucket and prefix. */
export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(uri);
  if (!match) throw new RemoteAccessError('bad-config', `${JSON.stringify(uri)} is not an S3 uri; write it as s3://bucket/prefix.`);
  const bucket = match[1]!;
  const rest = (match[2] ?? '').replace(/\/+$/, '');
  if (rest.split('/').some((s) => s === '.' || s === '..') || rest.startsWith('/') || rest.includes('//')) {
    throw new RemoteAccessError('bad-config', `${JSON.stringify(uri)} has an empty, "." or ".." part in its prefix; write it as s3://bucket/prefix.`);
  }
  return { bucket, prefix: rest === '' ? '' : `${rest}/` };
}
