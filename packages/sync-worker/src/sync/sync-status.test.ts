import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TableName } from '@bird/core';
import { createRemoteBackend, headDoc, headKey, lakeKey, segmentDoc, segmentKey, writeLakeJson, type RemoteBackend } from '@bird/remote';
import { countRowsNotPulled, planPullBacklog } from './sync-status.ts';

const cursor = (seq: number, extra: { damage?: string } = {}) => ({ seq, etag: 'e', ...extra });

describe('planPullBacklog', () => {
  it.each([
    ['nothing pulled yet: every teammate from the start', {}, [{ client: 'a@x', seq: 3 }], [{ client: 'a@x', from: 0, to: 3 }], []],
    ['pulled up to the head: nothing', { 'a@x': cursor(3) }, [{ client: 'a@x', seq: 3 }], [], []],
    ['two segments behind', { 'a@x': cursor(1) }, [{ client: 'a@x', seq: 3 }], [{ client: 'a@x', from: 1, to: 3 }], []],
    ['this store\'s own series is never behind', {}, [{ client: 'me@here', seq: 5 }], [], []],
    ['a head behind the cursor (restored lake) is not counted', { 'a@x': cursor(4) }, [{ client: 'a@x', seq: 2 }], [], []],
    ['a series read by listing is named, not counted', { 'a@x': cursor(1, { damage: 'segment 2 is missing' }) }, [{ client: 'a@x', seq: 3 }], [], [{ client: 'a@x', damage: 'segment 2 is missing' }]],
    ['a head with no segment yet', {}, [{ client: 'a@x', seq: 0 }], [], []],
  ])('%s', (_what, clients, heads, behind, listed) => {
    expect(planPullBacklog({ clients }, heads, new Set(['me@here']))).toEqual({ behind, listed });
  });
});

describe('countRowsNotPulled', () => {
  /** A lake where `client` pushed `segments` segments, each naming one batch of each table with `rows` rows. */
  async function lake(client: string, segments: number, rows: number): Promise<RemoteBackend> {
    const backend = await createRemoteBackend({ name: 'l', type: 'file', uri: mkdtempSync(join(tmpdir(), 'bird-status-lake-')), mode: 'read_write', auto_attach: false });
    const scratch = mkdtempSync(join(tmpdir(), 'bird-status-scratch-'));
    for (let seq = 1; seq <= segments; seq++) {
      const batches = (['invocations', 'outputs'] as TableName[]).map((table) => ({ key: lakeKey({ table, client, date: '2024-06-01', batch: `b${seq}` }), table, date: '2024-06-01', rows, bytes: 10 }));
      await writeLakeJson(backend, segmentKey(client, seq), segmentDoc(client, seq, `${'a'.repeat(15)}${seq}`, batches), scratch);
    }
    await writeLakeJson(backend, headKey(client), headDoc(client, segments, 'a'.repeat(16), 'host'), scratch);
    return backend;
  }
  const scratch = () => mkdtempSync(join(tmpdir(), 'bird-status-read-'));
  const invocationsOnly = new Set<TableName>(['invocations']);

  it('adds the rows of synced tables in the segments after the cursor', async () => {
    const backend = await lake('a@x', 5, 7);
    expect(await countRowsNotPulled(backend, [{ client: 'a@x', from: 2, to: 5 }], invocationsOnly, scratch(), 100)).toEqual({ rows: 21, segments: 3, segmentsRead: 3 });
  });

  it('stops at the budget and says how much it read', async () => {
    const backend = await lake('a@x', 5, 7);
    expect(await countRowsNotPulled(backend, [{ client: 'a@x', from: 0, to: 5 }], invocationsOnly, scratch(), 2)).toEqual({ rows: 14, segments: 5, segmentsRead: 2 });
  });

  it('a missing segment ends that series\' count there', async () => {
    const backend = await lake('a@x', 2, 7);
    expect(await countRowsNotPulled(backend, [{ client: 'a@x', from: 0, to: 4 }], invocationsOnly, scratch(), 100)).toEqual({ rows: 14, segments: 4, segmentsRead: 2 });
  });
});
