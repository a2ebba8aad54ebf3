// A teammate's machine for end-to-end tests that need both the real CLI (bird, bird-capture) and
// the sync client helpers: a Sandbox whose root is a sync client's, with the client's identity
// and S3 credentials in its environment. And the lakes they share.
import type { RemoteConfig, StorageMode } from '@bird/core';
import type { TestBackends } from '../../packages/remote/src/testing/backends.ts';
import { tempDir } from '../../packages/store/src/testing/fixtures.ts';
import { Sandbox } from '../cli-helpers.ts';
import { newClient, type Client } from './sync-clients.ts';

let lakes = 0;

/** A fresh read-write lake named `name`: a folder, or a prefix in the test file's S3 bucket. */
export function teamLake(backends: TestBackends, kind: 'file' | 's3', name = 'team'): RemoteConfig {
  lakes++;
  return kind === 'file'
    ? { name, type: 'file', uri: tempDir('bird-team-lake-'), mode: 'read_write', auto_attach: false }
    : { name, type: 's3', uri: `s3://lake/team${lakes}`, endpoint: backends.s3().endpoint, mode: 'read_write', auto_attach: false };
}

/** A sandboxed store (its own root and HOME) as a sync client, so the real bird-capture and bird can run in it. */
export async function teamMachine(id: string, remotes: RemoteConfig[], mode: StorageMode = 'parquet'): Promise<{ box: Sandbox; client: Client }> {
  const box = new Sandbox();
  const client = await newClient(id, remotes, mode);
  box.root = client.layout.root;
  const env = box.env({ BIRD_CLIENT_ID: id });
  for (const [k, v] of Object.entries(client.env)) if (k.startsWith('AWS_') || k.startsWith('S3')) env[k] = v!;
  Object.assign(client.env, env);
  return { box, client };
}
