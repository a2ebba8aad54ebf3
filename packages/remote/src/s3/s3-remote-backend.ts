/**
 * A remote that is an S3 prefix (AWS or any S3-compatible server), through @aws-sdk/client-s3.
 * Credentials come from the SDK's standard chain (env, shared files, SSO, instance role).
 * Loaded only when an S3 remote is used (see create-remote-backend.ts): the SDK is large.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { writeFileAtomicWith } from '@bird/core';
import { checkKey, RemoteAccessError, type GetOptions, type RemoteBackend, type RemoteObject } from '../remote-backend.ts';
import { s3Location, type S3RemoteConfig } from './s3-remote-config.ts';

/** Connecting: an endpoint that is down or unroutable is known within this. */
const DEFAULT_CONNECT_TIMEOUT_MS = 3000;
/**
 * Silence on a connected request: longer than connecting, since a server that answers, but
 * slowly (a busy one, a loaded machine serving a local one), is not a server that is gone.
 */
const DEFAULT_SOCKET_TIMEOUT_MS = 10_000;
/** Objects above this size are uploaded in parts of PART_BYTES (S3's minimum part is 5 MiB). */
export const MULTIPART_FROM_BYTES = 16 * 1024 * 1024;
const PART_BYTES = 8 * 1024 * 1024;

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'TimeoutError', 'RequestTimeout']);
const DENIED_NAMES = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'ExpiredToken', 'InvalidToken', 'AllAccessDisabled']);

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  cause?: { code?: string };
  $metadata?: { httpStatusCode?: number };
}

export class S3RemoteBackend implements RemoteBackend {
  readonly location: string;
  private readonly client: S3Client;

  constructor(private readonly config: S3RemoteConfig) {
    this.location = s3Location(config);
    // BIRD supports Node 20; the SDK's notice that future releases will not would otherwise
    // print on every `bird sql` that reads an S3 remote. Its documented switch, unless set.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    this.client = new S3Client({
      region: config.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
      maxAttempts: config.maxAttempts ?? 2,
      requestHandler: { connectionTimeout: config.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, socketTimeout: config.timeoutMs ?? DEFAULT_SOCKET_TIMEOUT_MS },
      forcePathStyle: config.forcePathStyle ?? config.endpoint !== undefined,
      ...(config.endpoint
        ? {
            endpoint: config.endpoint,
            // Many S3-compatible servers know nothing of the newer checksum headers.
            requestChecksumCalculation: 'WHEN_REQUIRED',
            responseChecksumValidation: 'WHEN_REQUIRED',
          }
        : {}),
    });
  }

  async list(prefix: string): Promise<RemoteObject[]> {
    const out: RemoteObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.call(() => this.client.send(new ListObjectsV2Command({ Bucket: this.config.bucket, Prefix: this.config.prefix + prefix, ContinuationToken: token })), 'list');
      for (const item of page.Contents ?? []) {
        if (item.Key === undefined || !item.Key.startsWith(this.config.prefix)) continue;
        out.push({ key: item.Key.slice(this.config.prefix.length), size: item.Size ?? 0, etag: (item.ETag ?? '').replace(/"/g, '') });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async get(key: string, dest: string, options: GetOptions = {}): Promise<number> {
    const response = await this.call(() => this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: this.config.prefix + checkKey(key) })), 'get', key);
    const body = response.Body as Readable | undefined;
    if (!body) throw new RemoteAccessError('other', `${this.location} returned no body for ${key}; try again.`);
    const limit = options.maxBytes;
    if (limit !== undefined && (response.ContentLength === undefined || response.ContentLength > limit)) {
      body.destroy();
      throw new RemoteAccessError('too-large', `${key} in ${this.location} is larger than ${limit} bytes.`);
    }
    let size = 0;
    try {
      await writeFileAtomicWith(dest, async (tmp) => {
        await pipeline(body, createWriteStream(tmp, { mode: 0o600 }));
        size = (await stat(tmp)).size;
        if (response.ContentLength !== undefined && size !== response.ContentLength) {
          throw new RemoteAccessError('other', `${key} from ${this.location} arrived with ${size} of ${response.ContentLength} bytes; try again.`);
        }
      }, { durable: false }); // a mirror copy: fetched again if a crash loses it
    } catch (error) {
      body.destroy();
      throw error instanceof RemoteAccessError ? error : this.failure(error, 'get', key);
    }
    return size;
  }

  async put(key: string, source: string): Promise<void> {
    const size = (await stat(source)).size;
    if (size > MULTIPART_FROM_BYTES) {
      // Large objects go in parts (each retried on its own); readers see the object only once complete.
      // require in a bundle run through a vm.Script (bird's, for its code cache), where import() throws.
      const { Upload } = (typeof require === 'function' ? require('@aws-sdk/lib-storage') : await import('@aws-sdk/lib-storage')) as typeof import('@aws-sdk/lib-storage');
      const upload = new Upload({ client: this.client, partSize: PART_BYTES, queueSize: 4, params: { Bucket: this.config.bucket, Key: this.config.prefix + checkKey(key), Body: createReadStream(source) } });
      await this.call(() => upload.done(), 'put', key);
      return;
    }
    // A buffer, not a stream: the SDK can resend it on retry, and it needs no chunked encoding.
    const bytes = await readFile(source);
    const command = new PutObjectCommand({ Bucket: this.config.bucket, Key: this.config.prefix + checkKey(key), Body: bytes, ContentLength: bytes.length });
    await this.call(() => this.client.send(command), 'put', key);
  }

  async remove(key: string): Promise<void> {
    // S3 answers 204 for a key that is not there too, so a missing object needs no case here.
    const command = new DeleteObjectCommand({ Bucket: this.config.bucket, Key: this.config.prefix + checkKey(key) });
    await this.call(() => this.client.send(command), 'remove', key);
  }

  close(): void {
    this.client.destroy();
  }

  private async call<T>(run: () => Promise<T>, op: string, key?: string): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw this.failure(error, op, key);
    }
  }

  /** One sentence for the user: what failed and what to check. */
  private failure(error: unknown, op: string, key?: string): RemoteAccessError {
    if (error instanceof RemoteAccessError) return error;
    const e = (error ?? {}) as SdkError;
    const name = e.name ?? 'Error';
    const code = e.code ?? e.cause?.code ?? name;
    const status = e.$metadata?.httpStatusCode;
    const where = this.config.endpoint ?? 'AWS S3';
    if (NETWORK_CODES.has(code) || NETWORK_CODES.has(name) || name === 'AbortError') {
      return new RemoteAccessError('unreachable', `${where} is not reachable (${code}); check the remote's endpoint and your network.`, { cause: error });
    }
    if (name === 'NoSuchBucket') {
      return new RemoteAccessError('no-store', `bucket ${this.config.bucket} does not exist at ${where}; check the remote's uri.`, { cause: error });
    }
    if (name === 'CredentialsProviderError') {
      return new RemoteAccessError('no-credentials', `found no AWS credentials for ${this.location}; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE.`, { cause: error });
    }
    if (DENIED_NAMES.has(name) || status === 403) {
      return new RemoteAccessError('denied', `${this.location} refused access (${name}); check the AWS credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE).`, { cause: error });
    }
    if (op === 'get' && (name === 'NoSuchKey' || name === 'NotFound' || status === 404)) {
      return new RemoteAccessError('missing-object', `${key} does not exist in ${this.location}.`, { cause: error });
    }
    const detail = (e.message ?? String(error)).split('\n')[0]!.replace(/\.$/, '');
    return new RemoteAccessError('other', `${op} ${key ?? ''} on ${this.location} failed (${name}: ${detail}); check the remote's uri and endpoint.`.replace('  ', ' '), { cause: error });
  }
}
