import { RemoteAccessError } from '../remote-backend.ts';
import { RemoteUriError, parseRemoteUri } from '../remote-uri.ts';

export interface S3RemoteConfig {
  readonly bucket: string;
  /** Key prefix of the lake inside the bucket: `''`, or ending in `/`. */
  readonly prefix: string;
  /** An S3-compatible endpoint (MinIO, R2, s3rver…); addressed path-style. Unset: AWS itself. */
  readonly endpoint?: string;
  readonly region?: string;
  /**
   * Bound on connecting, and on any silence while a request runs, in ms (default 3 s to
   * connect, 10 s of silence). With one retry, an unreachable endpoint costs a connection a few
   * seconds, never a hang.
   */
  readonly timeoutMs?: number;
  /** Tries per request, with the SDK's backoff on throttling and 5xx (default 2: a read fails fast; sync uses more). */
  readonly maxAttempts?: number;
  /** Path-style addressing; default: on with an endpoint, off for AWS itself. */
  readonly forcePathStyle?: boolean;
}

/** `s3://bucket` or `s3://bucket/some/prefix` → bucket and prefix (remote-uri's reading). */
export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  try {
    const parsed = parseRemoteUri('s3', uri, { cwd: '/' });
    if (parsed.type !== 's3') throw new Error('unreachable: an s3 uri parsed as another type');
    return { bucket: parsed.bucket, prefix: parsed.prefix };
  } catch (error) {
    if (error instanceof RemoteUriError) throw new RemoteAccessError('bad-config', error.message, { cause: error });
    throw error;
  }
}

/** Where an S3 remote is, for messages and as its identity: `s3://bucket/prefix`, and ` at <endpoint>` when not AWS itself. */
export function s3Location(config: Pick<S3RemoteConfig, 'bucket' | 'prefix' | 'endpoint'>): string {
  return `s3://${config.bucket}/${config.prefix}${config.endpoint ? ` at ${config.endpoint}` : ''}`;
}
