// The lake stays small in objects: an owner's push merges each past day's batches of its series
// into one per table (LAKE.md, "Compaction"), a teammate who took the old batches downloads none
// of the merged ones, a newcomer gets every row once, a segment lying in the new fields is refused
// for that field, and a push killed at any instant while it merges leaves every row exactly once.
// A folder lake and the S3-compatible server.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, saveConfig, type RemoteConfig } from '@bird/core';
import { createRemoteBackend, parseLakeKey } from '@bird/remote';
import { useTestBackends } from '../packages/remote/src/testing/backends.ts';
import { buildBundles } from './cli-helpers.ts';
import { countingBackend } from './support/counting-backend.ts';
import { putBatch, putIndex, invocationRow, seriesKey } from './support/hostile-teammate.ts';
import { KillWindow } from './support/kill-window.ts';
import { SYNC, bySource, capture, doPull, doPush, idsFrom, lakeRows, newClient, runAs, type Client } from './support/sync-clients.ts';
import { teamLake } from './support/team-machine.ts';

const backends = useTestBackends();
beforeAll(() => buildBundles());

const DAYS = ['2024-06-01', '2024-06-02', '2024-06-03'];
const sorted = (ids: readonly string[]) => [...ids].sort();

function setCompaction(c: Client, on: boolean): void {
  const config = loadConfig(c.layout);
  saveConfig(c.layout, { ...config, sync: { ...config.sync, lake_compaction: on } });
}

/** The series' batch keys in the lake, from a listing (what any engine reading the folders sees). */
async function seriesBatches(remote: RemoteConfig, client: string): Promise<string[]> {
  const backend = await createRemoteBackend(remote);
  try {
    const listed = (await Promise.all(['invocations/', 'sessions/'].map((p) => backend.list(p)))).flat();
    return listed.map((o) => o.key).filter((k) => parseLakeKey(k)?.client === client);
  } finally {
    backend.close();
  }
}

/** Every segment of the series, as written. */
async function segmentsOf(remote: RemoteConfig, client: string): Promise<{ checkpoint?: boolean; withdrawn?: string[]; batches: { key: string; replaces?: string[]; upTo?: number }[] }[]> {
  const backend = await createRemoteBackend(remote);
  const dir = mkdtempSync(join(tmpdir(), 'bird-segments-'));
  try {
    const out = [];
    for (const { key } of await backend.list(`_bird/log/${client}/`)) {
      await backend.get(key, join(dir, 'segment.json'));
      out.push(JSON.parse(readFileSync(join(dir, 'segment.json'), 'utf8')));
    }
    return out;
  } finally {
    backend.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Pulls as `c` through a backend that notes what it fetched; the batches fetched. */
async function pullNoting(c: Client): Promise<string[]> {
  const { backend, gets } = await countingBackend(loadConfig(c.layout).remotes[0]!);
  try {
    await doPull(c, { backend });
  } finally {
    backend.close();
  }
  return gets.filter((k) => parseLakeKey(k) !== null);
}

const dayAndTable = (key: string) => `${parseLakeKey(key)!.table} ${parseLakeKey(key)!.date}`;

describe.each(['file', 's3'] as const)('lake compaction (%s lake)', (kind) => {
  it('merges each past day into one batch per table; a teammate who took the old ones downloads none, a newcomer gets every row once', async () => {
    const team = teamLake(backends, kind);
    const me = await newClient('me@here', team);
    const mate = await newClient('mate@there', team);
    setCompaction(me, false);
    for (let i = 0; i < 6; i++) {
      await capture(me, 3, DAYS[i % 3], `push${i}`);
      expect((await doPush(me)).problems).toEqual([]);
      if (i === 2 || i === 5) await doPull(mate);
    }
    expect(await seriesBatches(team, 'me@here')).toHaveLength(12); // two pushes of each table and day

    setCompaction(me, true);
    const merging = await runAs(me, ['push', '--remote', 'team', '--json']);
    expect(merging.code, merging.stderr).toBe(0);
    expect(JSON.parse(merging.stdout).remotes[0]).toMatchObject({ op: 'push', rows: 0, merged: 12 });
    const left = await seriesBatches(team, 'me@here');
    expect(left.map(dayAndTable).sort()).toEqual(DAYS.flatMap((d) => [`invocations ${d}`, `sessions ${d}`]).sort());
    expect((await lakeRows(team)).map((r) => r.id)).toEqual(sorted(me.captured));
    const merged = (await segmentsOf(team, 'me@here')).at(-1)!;
    expect(merged.withdrawn).toHaveLength(12);
    // Each merge says the last segment that listed one of its batches: day 1's were pushed 1st and 4th.
    expect(merged.batches.map((b) => [b.replaces?.length, b.upTo])).toEqual(expect.arrayContaining([[2, 4], [2, 5], [2, 6]]));

    // The teammate took every replaced batch: nothing to download, every row still once.
    expect(await pullNoting(mate)).toEqual([]);
    expect(await idsFrom(mate, 'team')).toEqual(sorted(me.captured));
    expect((await bySource(mate)).duplicates).toBe(0);
    // A newcomer reads the merged batches only.
    const fresh = await newClient('fresh@new', team);
    expect(sorted(await pullNoting(fresh))).toEqual(sorted(left));
    expect(await idsFrom(fresh, 'team')).toEqual(sorted(me.captured));
    expect((await bySource(fresh)).duplicates).toBe(0);

    // A late batch of a merged day (an import of old history): the day is merged again.
    await capture(me, 2, DAYS[0], 'late');
    expect(await doPush(me)).toMatchObject({ merged: 4, problems: [] });
    expect((await seriesBatches(team, 'me@here')).map(dayAndTable).sort()).toEqual(left.map(dayAndTable).sort());
    expect((await lakeRows(team)).map((r) => r.id)).toEqual(sorted(me.captured));
    for (const c of [mate, fresh]) {
      await doPull(c);
      expect(await idsFrom(c, 'team')).toEqual(sorted(me.captured));
      expect((await bySource(c)).duplicates).toBe(0);
    }
  });

  it('a segment whose "replaces" or "upTo" lies is refused for that field, once, and its batch still fetched', async () => {
    const team = teamLake(backends, kind);
    const mate = await newClient('mate@there', team);
    const mine = seriesKey('them@x', 'a'.repeat(32));
    const merged = seriesKey('them@x', 'b'.repeat(32));
    const other = seriesKey('them@x', 'c'.repeat(32));
    await putBatch(team, mine, invocationRow('them@x', { cmd: `'first'` }));
    await putIndex(team, 'them@x', 1, [{ key: mine, table: 'invocations', date: '2024-06-01', rows: 1, bytes: 1 }]);
    await doPull(mate);
    await putBatch(team, merged, invocationRow('them@x', { cmd: `'merged'` }));
    await putBatch(team, other, invocationRow('them@x', { cmd: `'other'` }));
    await putIndex(team, 'them@x', 2, [
      // Another series' batch and garbage in "replaces"; a whole "upTo" the cursor is past.
      { key: merged, table: 'invocations', date: '2024-06-01', rows: 1, bytes: 1, replaces: [seriesKey('mate@there', 'd'.repeat(32)), 42], upTo: 1 },
      { key: other, table: 'invocations', date: '2024-06-01', rows: 1, bytes: 1, replaces: [mine], upTo: 'soon' },
    ]);
    const warnings: string[] = [];
    const { backend, gets } = await countingBackend(team);
    try {
      await doPull(mate, { backend, onWarning: (m) => warnings.push(m) });
    } finally {
      backend.close();
    }
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain(`: the "replaces" of batch ${merged}, which names what is not a batch of this series`);
    expect(warnings[1]).toContain(`: the "upTo" of batch ${other}, which is not a segment number ("soon")`);
    expect(sorted(gets.filter((k) => parseLakeKey(k) !== null))).toEqual(sorted([merged, other]));
    expect(await idsFrom(mate, 'team')).toHaveLength(3);
  });

  it('a checkpoint every 64 segments: a newcomer after 70 pushes reads a handful of segments, a teammate at cursor 10 gets what it lacked', async () => {
    const team = teamLake(backends, kind);
    const me = await newClient('me@here', team);
    const mate = await newClient('mate@there', team);
    for (let i = 0; i < 70; i++) {
      await capture(me, 1, DAYS[i % 3], `push${i}`);
      expect((await doPush(me)).problems).toEqual([]);
      if (i === 5) await doPull(mate);
    }
    const cursor = (JSON.parse(readFileSync(join(mate.layout.sync, 'team', 'pull.json'), 'utf8')) as { clients: Record<string, { seq: number }> }).clients['me@here']!.seq;
    expect(cursor).toBeGreaterThanOrEqual(8);
    expect(cursor).toBeLessThanOrEqual(12);
    const segments = await segmentsOf(team, 'me@here');
    expect((segments[0] as { checkpoint?: boolean }).checkpoint).toBe(true); // the ones before it are gone
    expect(segments.length).toBeLessThan(64);
    const had = await idsFrom(mate, 'team');
    expect(had.length).toBeGreaterThan(0);

    const reads = async (c: Client) => {
      const { backend, gets } = await countingBackend(team);
      try {
        await doPull(c, { backend }); // a warning (an index it could not follow) fails the pull here
      } finally {
        backend.close();
      }
      return gets.filter((k) => k.startsWith('_bird/log/')).length;
    };
    const fresh = await newClient('fresh@new', team);
    expect(await reads(fresh)).toBeLessThanOrEqual(segments.length);
    expect(await idsFrom(fresh, 'team')).toEqual(sorted(me.captured));
    expect((await bySource(fresh)).duplicates).toBe(0);
    expect(await reads(mate)).toBeLessThanOrEqual(segments.length);
    expect(await idsFrom(mate, 'team')).toEqual(sorted(me.captured));
    expect((await bySource(mate)).duplicates).toBe(0);
  }, 600_000);

  it('a teammate who took the old batches and is behind both the merge and the checkpoint downloads no merged batch', async () => {
    const team = teamLake(backends, kind);
    const me = await newClient('me@here', team);
    const mate = await newClient('mate@there', team);
    setCompaction(me, false);
    for (let i = 0; i < 6; i++) {
      await capture(me, 3, DAYS[i % 3], `push${i}`);
      expect((await doPush(me)).problems).toEqual([]);
    }
    await doPull(mate); // took every batch of segments 1-6

    // Rows of today from here on: never merged, so the only merged batches are those of segment 8.
    const today = new Date().toISOString().slice(0, 10);
    setCompaction(me, true);
    let pushes = 0;
    for (; pushes < 70 && !(await segmentsOf(team, 'me@here'))[0]?.checkpoint; pushes++) {
      await capture(me, 1, today, `today${pushes}`);
      expect((await doPush(me)).problems).toEqual([]);
    }
    const segments = await segmentsOf(team, 'me@here');
    expect(segments[0]).toMatchObject({ checkpoint: true }); // the merge segment is gone with the rest
    const merged = (await seriesBatches(team, 'me@here')).filter((k) => parseLakeKey(k)!.date !== today);
    expect(merged.map(dayAndTable).sort()).toEqual(DAYS.flatMap((d) => [`invocations ${d}`, `sessions ${d}`]).sort());

    const fetched = await pullNoting(mate);
    expect(fetched.filter((k) => merged.includes(k))).toEqual([]);
    expect(fetched).toHaveLength(2 * pushes); // today's batches, each once
    expect(await idsFrom(mate, 'team')).toEqual(sorted(me.captured));
    expect((await bySource(mate)).duplicates).toBe(0);
  }, 600_000);

  it('pushes that merge and checkpoint, killed at any instant and run again, with a teammate pulling between: every row once, no withdrawn batch left', async () => {
    const team = teamLake(backends, kind);
    const me = await newClient('me@here', team);
    const mate = await newClient('mate@there', team);
    // 63 segments first, so that the killed pushes below also write (and are killed writing) a checkpoint.
    for (let i = 0; i < 33; i++) {
      await capture(me, 1, DAYS[i % 3], `before${i}`);
      await doPush(me);
    }
    await doPull(mate);
    const kills = new KillWindow();
    for (let round = 0; round < 24; round++) {
      await capture(me, 2, DAYS[round % 3], `round${round}`);
      await kills.run(process.execPath, [SYNC, 'push', '--remote', 'team'], { env: me.env });
      if (round % 2 === 1) await doPull(mate);
    }
    expect(await runAs(me, ['push', '--remote', 'team'])).toMatchObject({ code: 0, stderr: '' });
    await doPull(mate);
    const rows = (await lakeRows(team)).map((r) => r.id);
    expect(rows).toEqual(sorted(me.captured)); // each exactly once: no withdrawn batch is left
    expect(await idsFrom(mate, 'team')).toEqual(sorted(me.captured));
    expect((await bySource(mate)).duplicates).toBe(0);
    const withdrawn = new Set((await segmentsOf(team, 'me@here')).flatMap((s) => s.withdrawn ?? []));
    expect((await seriesBatches(team, 'me@here')).filter((k) => withdrawn.has(k))).toEqual([]);
    expect((await seriesBatches(team, 'me@here')).map(dayAndTable).sort()).toEqual(DAYS.flatMap((d) => [`invocations ${d}`, `sessions ${d}`]).sort());
    expect((await segmentsOf(team, 'me@here'))[0]).toMatchObject({ checkpoint: true });
    const fresh = await newClient('fresh@new', team);
    await doPull(fresh);
    expect(await idsFrom(fresh, 'team')).toEqual(sorted(me.captured));
    expect((await bySource(fresh)).duplicates).toBe(0);
    expect(kills.killed).toBeGreaterThan(3);
  }, 900_000);
});
