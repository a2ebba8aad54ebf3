/**
 * The real backends every remote test loops over: a folder, and a bucket on a real
 * S3-compatible server (s3rver on 127.0.0.1) started for the test file.
 */
import { afterAll, beforeAll } from 'vitest';
import type { RemoteConfig } from '@bird/core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteBackend } from '../create-remote-backend.ts';
import type { RemoteBackend } from '../remote-backend.ts';
import { S3RVER_ENV, setEnv, startS3Server, type S3TestServer } from './s3-server.ts';

const tempDir = (prefix = 'bird-lake-') => mkdtempSync(join(tmpdir(), prefix));

export const remoteConfig = (over: Partial<RemoteConfig>): RemoteConfig => ({
  name: 'r',
  type: 'file',
  uri: '',
  mode: 'read_write',
  auto_attach: true,
  ...over,
});

export interface TestBackends {
  /** Each backend, with a fresh empty remote per call. */
  readonly make: { readonly file: () => Promise<RemoteBackend>; readonly s3: () => Promise<RemoteBackend> };
  /** The S3 server of this test file (started in beforeAll). */
  s3(): S3TestServer;
}

/** Starts s3rver with a `lake` bucket for the calling test file and stops it afterwards. */
export function useTestBackends(): TestBackends {
  let server: S3TestServer | undefined;
  let restoreEnv: (() => void) | undefined;
  let seq = 0;
  beforeAll(async () => {
    restoreEnv = setEnv(S3RVER_ENV);
    server = await startS3Server();
    await server.createBucket('lake');
  });
  afterAll(async () => {
    await server?.stop();
    restoreEnv?.();
  });
  const s3 = () => {
    if (!server) throw new Error('the S3 test server is not started yet (use it inside a test)');
    return server;
  };
  return {
    make: {
      file: () => createRemoteBackend(remoteConfig({ type: 'file', uri: tempDir() })),
      s3: () => createRemoteBackend(remoteConfig({ type: 's3', uri: `s3://lake/t${++seq}`, endpoint: s3().endpoint })),
    },
    s3,
  };
}
