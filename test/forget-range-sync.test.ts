// A range forget (every command of a series before a cutoff: `bird forget --before`, a
// retention) leaves the team's lakes and every teammate's copy, and stays gone: the owner's next
// push says so in one segment, deletes the batches of earlier days and writes the cutoff day's
// again without what it takes; a puller removes its copies of that series only and keeps a range
// tombstone, so neither a second lake that still holds old copies, nor an import, brings them
// back. Exactly once under kill -9 of the push that carries it. A teammate whose segment says
// "before 2100" takes their own series' rows from a puller, and no other's. A folder lake and the
// S3-compatible server.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RemoteConfig } from '@bird/core';
import { useTestBackends } from '../packages/remote/src/testing/backends.ts';
import { tempDir } from '../packages/store/src/testing/fixtures.ts';
import { BIRD_BUNDLE, buildBundles, Sandbox } from './cli-helpers.ts';
import { KillWindow } from './support/kill-window.ts';
import { invocationRow, putBatch, seriesKey } from './support/hostile-teammate.ts';
import { SYNC, idsFrom, lakeRows, listKeys, newClient, putObject, runAs, type Client } from './support/sync-clients.ts';

const backends = useTestBackends();
beforeAll(() => buildBundles());

let lakes = 0;
function lake(kind: 'file' | 's3', name = 'team'): RemoteConfig {
  lakes++;
  return kind === 'file'
    ? { name, type: 'file', uri: tempDir('bird-range-lake-'), mode: 'read_write', auto_attach: false }
    : { name, type: 's3', uri: `s3://lake/range${lakes}`, endpoint: backends.s3().endpoint, mode: 'read_write', auto_attach: false };
}

/** A sandboxed store (its own root and HOME) as a sync client, so the real bird-capture and bird can run in it. */
async function machine(id: string, remotes: RemoteConfig[]): Promise<{ box: Sandbox; client: Client }> {
  const box = new Sandbox();
  const client = await newClient(id, remotes);
  box.root = client.layout.root;
  const env = box.env({ BIRD_CLIENT_ID: id });
  for (const [k, v] of Object.entries(client.env)) if (k.startsWith('AWS_') || k.startsWith('S3')) env[k] = v!;
  Object.assign(client.env, env);
  return { box, client };
}

const push = (c: Client, remote = 'team') => runAs(c, ['push', '--remote', remote]);
const pull = (c: Client, remote = 'team') => runAs(c, ['pull', '--remote', remote]);
const sql = (c: Client, query: string) => runAs(c, ['sql', '--format', 'csv', query], { bundle: BIRD_BUNDLE });
const cmdsOf = async (c: Client, where = 'true') => (await sql(c, `SELECT cmd FROM main.invocations WHERE ${where} ORDER BY cmd`)).stdout.trim().split('\n').slice(1).filter((l) => l !== '');

/** Epoch µs of `day` (YYYY-MM-DD) at `hour`:00 UTC. */
const on = (day: string, hour: number) => BigInt(Date.parse(`${day}T${String(hour).padStart(2, '0')}:00:00Z`)) * 1000n;
const DAYS = ['2025-11-20', '2025-11-21', '2025-11-22', '2025-11-23', '2025-11-24'];

describe.each(['file', 's3'] as const)('a range forget across a team (%s lakes)', (kind) => {
  it('leaves the lake and every puller, and never comes back: not from another lake, not from an import', async () => {
    const team = lake(kind);
    const old = lake(kind, 'old');
    const me = await machine('me@here', [team, old]);
    const mate = await machine('mate@there', [team, old]);
    // Four commands a day, at 02:00, 08:00, 14:00 and 20:00 UTC.
    for (const day of DAYS) for (const hour of [2, 8, 14, 20]) me.box.capture({ cmd: `run ${day} ${hour}h`, exit: 0, startUs: on(day, hour), session: `s-${day}`, env: { BIRD_CLIENT_ID: 'me@here' } });
    for (const remote of ['team', 'old']) expect(await push(me.client, remote)).toMatchObject({ code: 0, stderr: '' });
    for (const remote of ['team', 'old']) expect(await pull(mate.client, remote)).toMatchObject({ code: 0, stderr: '' });
    expect(await idsFrom(mate.client, 'team')).toHaveLength(20);

    // Everything before 2025-11-22 10:00 UTC (midnight in UTC-10): the cutoff splits a day.
    const forgot = me.box.bird(['forget', '--before', '2025-11-22'], { env: { TZ: 'Etc/GMT+10', BIRD_CLIENT_ID: 'me@here' } });
    expect(forgot.code, forgot.stderr).toBe(0);
    expect(forgot.stdout).toBe('forgot 10 commands that started before 2025-11-22 10:00:00 UTC; older ones stay forgotten on this machine.\n');
    const cutoff = Date.parse('2025-11-22T10:00:00Z') * 1000;
    const kept = DAYS.flatMap((day) => [2, 8, 14, 20].filter((h) => Number(on(day, h)) >= cutoff).map((h) => `run ${day} ${h}h`)).sort();
    expect(await cmdsOf(me.client)).toEqual(kept);

    expect(await push(me.client)).toMatchObject({ code: 0, stderr: '' }); // to team only: `old` keeps its copies
    // The lake holds no row of it: earlier days' batches deleted, the cutoff day's written again.
    const inLake = await lakeRows(team);
    expect(inLake).toHaveLength(10);
    const keys = await listKeys(team, 'invocations/');
    expect(keys.filter((k) => /date=2025-11-2[01]/.test(k))).toEqual([]);
    expect(keys.filter((k) => k.includes('date=2025-11-22'))).toHaveLength(1);
    for (const table of ['sessions', 'outputs', 'events']) expect((await listKeys(team, `${table}/`)).filter((k) => /date=2025-11-2[01]/.test(k))).toEqual([]);
    // The segment says so, in one field an older bird ignores.
    const segments = await listKeys(team, '_bird/log/me@here/');
    const last = segments.sort().at(-1)!;
    const text = kind === 'file' ? readFileSync(join(team.uri, last), 'utf8') : await s3Text(team, last);
    expect(JSON.parse(text)).toMatchObject({ client: 'me@here', forgottenBefore: '2025-11-22T10:00:00.000Z' });

    expect(await pull(mate.client)).toMatchObject({ code: 0, stderr: '' });
    expect(await cmdsOf(mate.client)).toEqual(kept);
    // The old lake still holds every copy: pulled again from scratch, none comes back.
    rmSync(join(mate.client.layout.sync, 'old', 'pull.json'), { force: true });
    expect(await pull(mate.client, 'old')).toMatchObject({ code: 0 });
    expect(await cmdsOf(mate.client)).toEqual(kept);
    const history = await runAs(mate.client, ['history', '-n', '50'], { bundle: BIRD_BUNDLE });
    expect(history.stdout).not.toContain('2025-11-21');
    // A fresh teammate who never saw them gets none of them from the lake that carried the forget.
    const fresh = await machine('fresh@new', [team]);
    expect(await pull(fresh.client)).toMatchObject({ code: 0, stderr: '' });
    expect(await cmdsOf(fresh.client)).toEqual(kept);

    // An import of my history file that still holds the old lines leaves them out.
    const histfile = join(me.box.dir, 'zsh_history');
    writeFileSync(histfile, ['2025-11-20', '2025-11-21'].map((day) => `: ${Number(on(day, 2) / 1_000_000n)}:0;run ${day} 2h\n`).join(''));
    const imported = me.box.bird(['import', 'zsh', '--file', histfile], { env: { BIRD_CLIENT_ID: 'me@here' } });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/imported 0, .* 2 forgotten here/);
    expect(await cmdsOf(me.client)).toEqual(kept);
    // Nor does a command captured now with an old start (a clock set back, a redo).
    me.box.capture({ cmd: 'late copy', exit: 0, startUs: on('2025-11-21', 3), env: { BIRD_CLIENT_ID: 'me@here' } });
    expect(await cmdsOf(me.client)).toEqual(kept);
  });

  it('a push carrying a range forget, killed at any instant and run again, lands it exactly once (24 rounds)', async () => {
    const team = lake(kind);
    const me = await machine('me@here', [team]);
    const kills = new KillWindow();
    const start = Date.parse('2025-10-01T00:00:00Z');
    const day = (n: number) => new Date(start + n * 86_400_000).toISOString().slice(0, 10);
    for (let round = 0; round < 24; round++) {
      // Two commands on day `round`: at 04:00 and at 16:00 UTC.
      for (const hour of [4, 16]) me.box.capture({ cmd: `day ${day(round)} ${hour}h`, exit: 0, startUs: on(day(round), hour), session: 's1', env: { BIRD_CLIENT_ID: 'me@here' } });
      expect(await push(me.client)).toMatchObject({ code: 0 });
      // Every command before midnight of the day before in UTC+12 (noon UTC two days back): a cutoff that splits a day.
      if (round > 0) expect(me.box.bird(['forget', '--before', `${day(round - 1)}`], { env: { TZ: 'Etc/GMT-12', BIRD_CLIENT_ID: 'me@here' } }).code).toBe(0);
      await kills.run(process.execPath, [SYNC, 'push', '--remote', 'team'], { env: me.client.env });
    }
    expect(await push(me.client)).toMatchObject({ code: 0, stderr: '' });
    // The last cutoff: midnight of day 22 in UTC+12, noon UTC of day 21.
    const cutoff = Date.parse(`${day(22)}T00:00:00Z`) - 12 * 3_600_000;
    const expected: string[] = [];
    for (let n = 0; n < 24; n++) for (const hour of [4, 16]) if (Date.parse(`${day(n)}T${String(hour).padStart(2, '0')}:00:00Z`) >= cutoff) expected.push(`day ${day(n)} ${hour}h`);
    const rows = await lakeRows(team);
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    expect(rows).toHaveLength(expected.length);
    const reader = await machine('reader@r', [team]);
    expect(await pull(reader.client)).toMatchObject({ code: 0, stderr: '' });
    expect(await cmdsOf(reader.client)).toEqual(expected.sort());
    expect(kills.killed).toBeGreaterThan(4);
  }, 900_000);

  it("a teammate's range forget takes their own series' rows from a puller, never another series'", async () => {
    const team = lake(kind);
    const bob = await machine('bob@b', [team]);
    const carol = await machine('carol@c', [team]);
    const me = await machine('me@here', [team]);
    for (const [m, id] of [[bob, 'bob@b'], [carol, 'carol@c'], [me, 'me@here']] as const) {
      for (const day of DAYS) m.box.capture({ cmd: `${id} on ${day}`, exit: 0, startUs: on(day, 12), env: { BIRD_CLIENT_ID: id } });
    }
    for (const m of [bob, carol]) expect(await push(m.client)).toMatchObject({ code: 0, stderr: '' });
    expect(await pull(me.client)).toMatchObject({ code: 0, stderr: '' });
    expect(await cmdsOf(me.client)).toHaveLength(15);

    // Bob, by hand, says every command before 2100 is forgotten, and names a batch of carol's as withdrawn.
    const carolKeys = await listKeys(team, 'invocations/client=carol@c/');
    const bobSegments = await listKeys(team, '_bird/log/bob@b/');
    const seq = bobSegments.length + 1;
    await putObject(team, `_bird/log/bob@b/${String(seq).padStart(12, '0')}.json`, JSON.stringify({ version: 1, client: 'bob@b', seq, batches: [], withdrawn: [carolKeys[0]], forgottenBefore: '2100-01-01T00:00:00.000Z' }));
    await putObject(team, '_bird/heads/bob@b.json', JSON.stringify({ version: 1, client: 'bob@b', seq }));
    const pulled = await pull(me.client);
    expect(pulled.code).toBe(0);
    expect(pulled.stderr).toMatch(/a withdrawal that is not a batch of this series/);
    expect(await cmdsOf(me.client)).toEqual([...DAYS.map((d) => `carol@c on ${d}`), ...DAYS.map((d) => `me@here on ${d}`)].sort());
    // Bob's later rows, older than his cutoff, never arrive; carol's do.
    await putBatch(team, seriesKey('bob@b', 'late', '2025-12-01'), invocationRow('bob@b', { cmd: `'bob late'`, timestamp: `TIMESTAMPTZ '2025-12-01 10:00:00+00'` }));
    await putObject(team, `_bird/log/bob@b/${String(seq + 1).padStart(12, '0')}.json`, JSON.stringify({ version: 1, client: 'bob@b', seq: seq + 1, batches: [{ key: seriesKey('bob@b', 'late', '2025-12-01'), rows: 1, bytes: 1 }] }));
    await putObject(team, '_bird/heads/bob@b.json', JSON.stringify({ version: 1, client: 'bob@b', seq: seq + 1 }));
    carol.box.capture({ cmd: 'carol later', exit: 0, startUs: on('2025-12-01', 12), env: { BIRD_CLIENT_ID: 'carol@c' } });
    expect(await push(carol.client)).toMatchObject({ code: 0, stderr: '' });
    expect(await pull(me.client)).toMatchObject({ code: 0 });
    expect(await cmdsOf(me.client, "cmd LIKE 'bob%'")).toEqual([]);
    expect(await cmdsOf(me.client, "cmd LIKE 'carol%'")).toHaveLength(6);
    // A cutoff that is not an instant bird writes is named and left out.
    await putObject(team, `_bird/log/bob@b/${String(seq + 2).padStart(12, '0')}.json`, JSON.stringify({ version: 1, client: 'bob@b', seq: seq + 2, batches: [], forgottenBefore: 'soon' }));
    await putObject(team, '_bird/heads/bob@b.json', JSON.stringify({ version: 1, client: 'bob@b', seq: seq + 2 }));
    const damaged = await pull(me.client);
    expect(damaged.code).toBe(0);
    expect(damaged.stderr).toMatch(/a "forgottenBefore" that is not an instant bird writes \("soon"\)/);
    const tombstones = readdirSync(me.client.layout.tombstones).filter((n) => n.endsWith('.jsonl')).map((n) => readFileSync(join(me.client.layout.tombstones, n), 'utf8'));
    expect(tombstones.join('')).not.toMatch(/carol|me@here/);
  });
});

async function s3Text(remote: RemoteConfig, key: string): Promise<string> {
  const { createRemoteBackend } = await import('@bird/remote');
  const backend = await createRemoteBackend(remote);
  const file = join(tempDir('bird-s3-read-'), 'object');
  try {
    await backend.get(key, file);
    return readFileSync(file, 'utf8');
  } finally {
    backend.close();
  }
}
