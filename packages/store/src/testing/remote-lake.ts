/** Test data on any remote backend: batches written as a producer would, then put as objects. */
import { relative } from 'node:path';
import type { RemoteConfig, TableName } from '@bird/core';
import type { RemoteBackend } from '@bird/remote';
import { tempDir, writeLake } from './fixtures.ts';

type AnyRow = Record<string, unknown> & { date: string };

/** Puts one batch at `<table>/client=<id>/date=<d>/<batch>.parquet`; returns its key. */
export async function putLakeBatch(backend: RemoteBackend, table: TableName, clientId: string, date: string, rows: readonly AnyRow[]): Promise<string> {
  const staging = tempDir('bird-staging-');
  const path = writeLake(staging, table, clientId, date, rows);
  const key = relative(staging, path);
  await backend.put(key, path);
  return key;
}

export function s3Remote(name: string, uri: string, endpoint: string, over: Partial<RemoteConfig> = {}): RemoteConfig {
  return { name, type: 's3', uri, endpoint, mode: 'read_write', auto_attach: true, ...over };
}
