// Team sync on the events a team meets every week: a client id that differs between the shells
// and cron, one that changes, two machines with one id (by mistake, or a copied store), the same
// rows carried by two remotes. Real lakes (a folder, and the S3-compatible server), the real
// bird-sync bundle in child processes where the process boundary matters.
import { cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { birdLayout, defaultClientId, loadConfig, quoteLiteral, setClientId, type RemoteConfig, type StorageMode } from '@bird/core';
import { useTestBackends } from '../packages/remote/src/testing/backends.ts';
import { tempDir } from '../packages/store/src/testing/fixtures.ts';
import { buildBundles } from './cli-helpers.ts';
import { indexedIdsAndSources, storedIdsAndSources } from './support/history-index.ts';
import { bySource, capture, cronEnv, doPull, doPush, idsFrom, lakeRows, newClient, runAs, type Client } from './support/sync-clients.ts';

const backends = useTestBackends();
beforeAll(() => buildBundles());

let lakes = 0;
function lake(kind: 'file' | 's3', name = 'team'): RemoteConfig {
  lakes++;
  return kind === 'file'
    ? { name, type: 'file', uri: tempDir('bird-team-lake-'), mode: 'read_write', auto_attach: false }
    : { name, type: 's3', uri: `s3://lake/team${lakes}`, endpoint: backends.s3().endpoint, mode: 'read_write', auto_attach: false };
}

/** Keys on a client's push ledgers for a remote (what it believes it pushed). */
async function ledgerIds(c: Client, remote = 'team'): Promise<string[]> {
  const dir = join(c.layout.sync, remote, 'series');
  const files: string[] = [];
  for (const series of readdirSync(dir)) {
    const tableDir = join(dir, series, 'pushed', 'invocations');
    try {
      for (const f of readdirSync(tableDir)) if (f.endsWith('.parquet')) files.push(join(tableDir, f));
    } catch {
      // a series with no invocation pushed
    }
  }
  if (files.length === 0) return [];
  const db = await DuckDBInstance.create(':memory:');
  try {
    const conn = await db.connect();
    const r = await conn.runAndReadAll(`SELECT DISTINCT "key" FROM read_parquet([${files.map(quoteLiteral).join(', ')}]) ORDER BY 1`);
    conn.closeSync();
    return r.getRows().map((row) => String(row[0]));
  } finally {
    db.closeSync();
  }
}

const sorted = (ids: readonly string[]) => [...ids].sort();

describe.each(['file', 's3'] as const)('identity (%s lake)', (kind) => {
  it.each<StorageMode>(['parquet', 'duckdb'])('%s mode: the shells export BIRD_CLIENT_ID, cron does not; every row goes to its own series and every teammate pulls it', async (mode) => {
    const remote = lake(kind);
    const me = await newClient('me@laptop', remote, mode);
    const mate = await newClient('mate@desk', remote);
    // Rows captured before the export reached the shells carry the machine's default id.
    const before = defaultClientId(cronEnv(me));
    await capture(me, 2, '2024-06-01', 'before-export', before);
    await capture(me, 3, '2024-06-01', 'shell');
    expect(await runAs(me, ['push', '--remote', 'team'])).toMatchObject({ code: 0, stderr: '' });
    // The first push settled the id in config.toml, so cron agrees with the shells from now on.
    expect(loadConfig(me.layout).client_id).toBe('me@laptop');
    await capture(me, 2, '2024-06-02', 'later');
    expect(await runAs(me, ['push', '--remote', 'team'], { env: cronEnv(me) })).toMatchObject({ code: 0, stderr: '' });
    await capture(me, 1, '2024-06-03', 'cron-era');
    expect(await runAs(me, ['--remote', 'team'], { env: cronEnv(me) })).toMatchObject({ code: 0, stderr: '' });

    expect(await runAs(mate, ['pull', '--remote', 'team'])).toMatchObject({ code: 0, stderr: '' });
    expect(sorted(await idsFrom(mate, 'team'))).toEqual(sorted(me.captured));
    // A series holds only its owner's rows: the lake's folders and the rows in them agree.
    const rows = await lakeRows(remote);
    expect(rows.filter((r) => r.series !== r.client_id)).toEqual([]);
    expect(new Set(rows.map((r) => r.series))).toEqual(new Set(['me@laptop', before]));
    expect(rows).toHaveLength(me.captured.length);
    // Nothing comes back to its writer as a teammate's row, whatever id cron used.
    expect(await runAs(me, ['pull', '--remote', 'team'], { env: cronEnv(me) })).toMatchObject({ code: 0, stderr: '' });
    expect((await bySource(me)).counts).toEqual({ local: me.captured.length });
  });

  it('the id changed in config.toml between pushes: the old series stays whole, the new one starts at 1, a teammate pulls both', async () => {
    const remote = lake(kind);
    const me = await newClient('me@old', remote);
    const mate = await newClient('mate@desk', remote);
    delete me.env.BIRD_CLIENT_ID; // no export: config.toml alone names the id
    await setClientId(me.layout, 'me@old');
    await capture(me, 3, '2024-06-01', 'old');
    expect((await doPush(me)).problems).toEqual([]);
    await setClientId(me.layout, 'me@new');
    me.id = 'me@new';
    await capture(me, 2, '2024-06-02', 'new');
    const second = await doPush(me);
    expect(second).toMatchObject({ problems: [], rows: 3 }); // 2 invocations + 1 session
    expect(await doPull(mate)).toMatchObject({ rows: 7 }); // 5 invocations and 2 sessions, from two series
    expect(sorted(await idsFrom(mate, 'team'))).toEqual(sorted(me.captured));
    expect((await lakeRows(remote)).filter((r) => r.series !== r.client_id)).toEqual([]);
  });
});

describe.each(['file', 's3'] as const)('two machines with one client id (%s lake)', (kind) => {
  it('the second machine is refused with what to do, its rows stay here, and nothing of the first is lost', async () => {
    const remote = lake(kind);
    const a = await newClient('same@id', remote);
    const b = await newClient('same@id', remote);
    const reader = await newClient('reader@r', remote);
    await capture(a, 3, '2024-06-01', 'a');
    expect(await runAs(a, ['push', '--remote', 'team'])).toMatchObject({ code: 0, stderr: '' });
    await capture(b, 2, '2024-06-01', 'b');
    const refused = await runAs(b, ['push', '--remote', 'team']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^bird-sync: push team: series same@id on remote team \(last written from [^)]+\) holds 4 rows this store does not have: another machine already uses client id same@id, so nothing was pushed to it\. Give this machine its own id \(`bird init --client-id NAME`\), or, if the other machine no longer writes it, run `bird remote repair team` here\.\n$/);
    // Asked again, it says so again without reading the series back.
    expect((await runAs(b, ['push', '--remote', 'team'])).stderr).toBe(refused.stderr);
    expect(await ledgerIds(b)).toEqual([]);
    expect(await runAs(reader, ['pull', '--remote', 'team'])).toMatchObject({ code: 0, stderr: '' });
    expect(sorted(await idsFrom(reader, 'team'))).toEqual(sorted(a.captured));

    // b takes its own id: what it captures from now on is pushed; what it captured as same@id
    // stays here, said once, and the pushes after that succeed.
    await setClientId(b.layout, 'other@b');
    b.env.BIRD_CLIENT_ID = 'other@b';
    const before = [...b.captured];
    await capture(b, 2, '2024-06-02', 'b-new', 'other@b');
    const after = await runAs(b, ['push', '--remote', 'team', '--json']);
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout)).toMatchObject({ ok: true, remotes: [{ op: 'push', rows: 3, problems: [] }] });
    expect(after.stderr).toMatch(/^bird-sync: warning: the same@id rows captured here stay here: series same@id on remote team is written by another machine, and this one is other@b now/);
    expect(await runAs(b, ['push', '--remote', 'team'])).toMatchObject({ code: 0, stderr: '' });
    expect(await runAs(reader, ['pull', '--remote', 'team'])).toMatchObject({ code: 0, stderr: '' });
    expect(sorted(await idsFrom(reader, 'team'))).toEqual(sorted([...a.captured, ...b.captured.filter((id) => !before.includes(id))]));
    expect((await bySource(b)).counts.local).toBe(4);
  });

  it('a copied store and its original pushing at the same time: each race is caught, and every row a ledger calls pushed is in the index', async () => {
    const remote = lake(kind);
    const a = await newClient('same@id', remote);
    await capture(a, 2, '2024-06-01', 'a0');
    expect((await doPush(a)).problems).toEqual([]);
    // `cp -a` of the store, as the README allows: both copies believe they own the series.
    const copyRoot = join(tempDir('bird-team-copy-'), 'bird');
    cpSync(a.layout.root, copyRoot, { recursive: true, preserveTimestamps: true });
    const b: Client = { id: 'same@id', layout: birdLayout(copyRoot), env: { ...a.env, BIRD_ROOT: copyRoot }, captured: [...a.captured] };
    let conflicts = 0;
    for (let round = 1; round <= 6; round++) {
      await capture(a, 2, '2024-06-02', `a${round}`);
      await capture(b, 2, '2024-06-02', `b${round}`);
      const runs = await Promise.all([runAs(a, ['push', '--remote', 'team']), runAs(b, ['push', '--remote', 'team'])]);
      for (const r of runs) {
        if (r.code === 0) expect(r.stderr).toBe('');
        else {
          expect(r.stderr).toMatch(/two machines use client id same@id, or this store was copied/);
          conflicts++;
        }
      }
    }
    expect(conflicts).toBeGreaterThan(0);
    const reader = await newClient('reader@r', remote);
    expect(await runAs(reader, ['pull', '--remote', 'team'])).toMatchObject({ code: 0 });
    const indexed = new Set(await idsFrom(reader, 'team'));
    for (const c of [a, b]) {
      const pushed = await ledgerIds(c);
      expect(pushed.filter((id) => !indexed.has(id)), 'rows a ledger calls pushed but no index names').toEqual([]);
      // and nothing is gone from the machine itself
      expect((await bySource(c)).counts.local).toBe(c.captured.length);
    }
  });
});

describe.each(['file', 's3'] as const)('the same rows through two remotes (%s lakes)', (kind) => {
  it('are one row in main, bird history and stats, tagged with the remote they were first pulled from', async () => {
    const first = lake(kind, 'alpha');
    const second = lake(kind, 'beta');
    const a = await newClient('alice@a', [first, second]);
    const b = await newClient('bob@b', [first, second]);
    await capture(a, 4);
    await doPush(a, { remote: 'alpha' });
    await doPush(a, { remote: 'beta' });
    await doPull(b, { remote: 'beta' });
    await doPull(b, { remote: 'alpha' });
    expect(await bySource(b)).toEqual({ counts: { beta: 4 }, duplicates: 0 });
    // Pulled again in the other order, and by bird-sync over both: still once.
    expect(await runAs(b, [])).toMatchObject({ code: 0, stderr: '' });
    expect(await bySource(b)).toEqual({ counts: { beta: 4 }, duplicates: 0 });
    expect(await indexedIdsAndSources(b.layout)).toEqual(await storedIdsAndSources(b.layout));
    // A teammate's row reusing one of b's own ids is not stored again either.
    expect((await bySource(a)).counts).toEqual({ local: 4 });
    await doPull(a, { remote: 'alpha', client: 'alice@a' });
    expect(await bySource(a)).toEqual({ counts: { local: 4 }, duplicates: 0 });
  });
});
