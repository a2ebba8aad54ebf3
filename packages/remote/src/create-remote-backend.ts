/**
 * The backend for a configured remote. Each remote type has its own factory, so a new type
 * does not compile until it is handled here; the S3 one is imported on first use, so a
 * process that never touches S3 never loads the SDK.
 */
import type { RemoteConfig, RemoteType } from '@bird/core';
import type { RemoteBackend } from './remote-backend.ts';
import { FileRemoteBackend } from './file/file-remote-backend.ts';
import { fileRemoteRoot } from './file/file-remote-config.ts';
import { parseS3Uri } from './s3/s3-remote-config.ts';

export interface BackendOptions {
  /** S3 only: see S3RemoteConfig.timeoutMs. */
  readonly timeoutMs?: number;
  /** S3 only: see S3RemoteConfig.maxAttempts. */
  readonly attempts?: number;
}

const FACTORIES: Record<RemoteType, (config: RemoteConfig, options: BackendOptions) => Promise<RemoteBackend>> = {
  file: async (config) => new FileRemoteBackend({ root: fileRemoteRoot(config.uri) }),
  s3: async (config, options) => {
    const { S3RemoteBackend } = await import('./s3/s3-remote-backend.ts');
    return new S3RemoteBackend({ ...parseS3Uri(config.uri), endpoint: config.endpoint, region: config.region, timeoutMs: options.timeoutMs, maxAttempts: options.attempts, forcePathStyle: config.force_path_style });
  },
};

/**
 * @example
 * const backend = await createRemoteBackend({ name: 'team', type: 's3', uri: 's3://b/lake', mode: 'read_write', auto_attach: true });
 * try { console.log(await backend.list('invocations/')); } finally { backend.close(); }
 */
export function createRemoteBackend(config: RemoteConfig, options: BackendOptions = {}): Promise<RemoteBackend> {
  return FACTORIES[config.type](config, options);
}
