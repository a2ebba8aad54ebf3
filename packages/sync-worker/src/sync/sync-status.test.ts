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

  it('behind a checkpoint that replaced the segments before it: counts what the checkpoint lists past the cursor, and what follows it', async () => {
    const client = 'a@x';
    const backend = await createRemoteBackend({ name: 'l', type: 'file', uri: mkdtempSync(join(tmpdir(), 'bird-status-lake-')), mode: 'read_write', auto_attach: false });
    const dir = scratch();
    const batch = (name: string, rows: number, seq?: number) => ({ key: lakeKey({ table: 'invocations', client, date: '2024-06-01', batch: name }), table: 'invocations' as const, date: '2024-06-01', rows, bytes: 10, ...(seq !== undefined ? { seq } : {}) });
    // Segments 1-64 are gone; checkpoint 65 lists batch i of push i (i rows each); push 66 brings 100 rows.
    const live = Array.from({ length: 64 }, (_, i) => batch(`b${i + 1}`, i + 1, i + 1));
    await writeLakeJson(backend, segmentKey(client, 65), segmentDoc(client, 65, 'c'.repeat(16), live, { checkpoint: true }), dir);
    await writeLakeJson(backend, segmentKey(client, 66), segmentDoc(client, 66, 'd'.repeat(16), [batch('b66', 100)]), dir);
    // A cursor at 10 took pushes 1-10 (55 rows): 11 + … + 64 = 2,025 rows are new, and the 100.
    expect(await countRowsNotPulled(backend, [{ client, from: 10, to: 66, checkpoint: 65 }], invocationsOnly, scratch(), 100)).toEqual({ rows: 2125, segments: 2, segmentsRead: 2 });
  });
});

