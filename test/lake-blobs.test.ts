// What `bird run` kept of a command's output travels with its rows: the owner's push uploads the
// blobs into its series' blob area before the rows that name them, a teammate's pull fetches and
// checks them, and a forget takes them out of the lake and off every puller. A folder lake and
// the S3-compatible server; kill -9 of the push at random instants.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, saveConfig } from '@bird/core';
import { storageModeOf } from '@bird/store';
import { outputRowId } from '@bird/capture/record-output';
import { invocation, session } from '../packages/store/src/testing/fixtures.ts';
import { seriesPaths, syncPaths } from '../packages/sync-worker/src/sync/sync-state.ts';
import { useTestBackends } from '../packages/remote/src/testing/backends.ts';
import { at, BIRD_BUNDLE, buildBundles } from './cli-helpers.ts';
import { KillWindow } from './support/kill-window.ts';
import { SYNC, listKeys, putObject, removeObject, runAs, type Client } from './support/sync-clients.ts';
import { teamLake, teamMachine } from './support/team-machine.ts';

const backends = useTestBackends();
beforeAll(() => buildBundles());

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const push = (c: Client) => runAs(c, ['push', '--remote', 'team']);
const pull = (c: Client) => runAs(c, ['pull', '--remote', 'team']);

type Machine = Awaited<ReturnType<typeof teamMachine>>;

/** The built bird on machine `m` (as its shells run it, with its client id), its output as bytes. */
function birdRaw(m: Machine, args: string[]) {
  const r = spawnSync(process.execPath, [BIRD_BUNDLE, ...args], { env: m.client.env, cwd: m.box.dir, input: '', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

const sqlRows = <T>(m: Machine, query: string) => JSON.parse(birdRaw(m, ['sql', query, '--format', 'json']).stdout.toString()) as T[];

/** Runs `cat` of `bytes` through `bird run` on `box`; returns the command's id. */
function runCat(m: Machine, name: string, bytes: Buffer): string {
  const file = join(m.box.dir, name);
  writeFileSync(file, bytes);
  const run = birdRaw(m, ['run', '--', 'cat', file]);
  expect(run.code, run.stderr).toBe(0);
  return sqlRows<{ id: string }>(m, `SELECT id FROM main.invocations WHERE cmd LIKE '%${name}' ORDER BY "timestamp" DESC LIMIT 1`)[0]!.id;
}

const blobKeyOf = (client: string, bytes: Buffer) => `blobs/client=${client}/${sha256(bytes).slice(0, 2)}/${sha256(bytes)}.gz`;
const localBlob = (c: Client, bytes: Buffer) => join(c.layout.blobs, sha256(bytes).slice(0, 2), `${sha256(bytes)}.gz`);

/** A command of 2025-11-26 that printed `bytes`, stored as a blob: its row and its blob, as `bird run` stores them. */
async function printedLastYear(m: Machine, n: number, bytes: Buffer): Promise<void> {
  const layout = m.client.layout;
  mkdirSync(dirname(localBlob(m.client, bytes)), { recursive: true });
  writeFileSync(localBlob(m.client, bytes), gzipSync(bytes));
  const s = session({ session_id: 's-old', client_id: m.client.id, date: '2025-11-26' });
  const inv = invocation({ session_id: 's-old', client_id: m.client.id, cmd: `cat old-${n}.bin`, date: '2025-11-26', timestamp: at(n) });
  const hash = sha256(bytes);
  const output = { id: outputRowId(inv, 'stdout'), invocation_id: inv.id, stream: 'stdout', content_hash: hash, byte_length: bytes.length, storage_type: 'blob', storage_ref: `${hash.slice(0, 2)}/${hash}.gz`, date: inv.date };
  expect((await storageModeOf(layout, loadConfig(layout)).append([{ invocation: inv, session: s, outputs: [output] }])).written).toBe(1);
}

describe.each(['file', 's3'] as const)('events through a lake (%s)', (kind) => {
  it('what a command\'s output said travels with it, once, and a forget takes it off the puller', async () => {
    const team = teamLake(backends, kind);
    const me = await teamMachine('me@here', [team]);
    const mate = await teamMachine('mate@there', [team]);
    const run = birdRaw(me, ['run', '--', 'sh', '-c', 'echo "src/app.c:12:5: error: y undeclared" >&2; exit 1']);
    expect(run.code, run.stderr).toBe(1);
    const [cmd] = sqlRows<{ id: string }>(me, 'SELECT id FROM main.invocations');
    expect(sqlRows(me, 'SELECT ref_file, ref_line, ref_column, severity FROM main.events')).toEqual([{ ref_file: 'src/app.c', ref_line: 12, ref_column: 5, severity: 'error' }]);
    expect(await push(me.client)).toMatchObject({ code: 0, stderr: '' });
    for (let i = 0; i < 2; i++) expect(await pull(mate.client)).toMatchObject({ code: 0, stderr: '' });
    const pulled = 'SELECT invocation_id, ref_file, ref_line, message, _source FROM main.events';
    expect(sqlRows(mate, pulled)).toEqual([{ invocation_id: cmd!.id, ref_file: 'src/app.c', ref_line: 12, message: 'y undeclared', _source: 'team' }]);
    expect(birdRaw(me, ['forget', cmd!.id]).code).toBe(0);
    expect(await push(me.client)).toMatchObject({ code: 0, stderr: '' });
    expect(await pull(mate.client)).toMatchObject({ code: 0, stderr: '' });
    expect(sqlRows(mate, pulled)).toEqual([]);
  });
});

describe.each(['file', 's3'] as const)('output blobs through a lake (%s)', (kind) => {
  it('travel once under the owner series, byte-exact; a forget takes them from the lake and the puller', async () => {
    const team = teamLake(backends, kind);
    const me = await teamMachine('me@here', [team]);
    const mate = await teamMachine('mate@there', [team]);
    const big = randomBytes(100 * 1024);
    const first = runCat(me, 'big.bin', big);
    const again = runCat(me, 'same.bin', big);
    expect(await push(me.client)).toMatchObject({ code: 0, stderr: '' });
    // Two commands printed the same bytes: one blob, under the series that printed them.
    expect(await listKeys(team, 'blobs/')).toEqual([blobKeyOf('me@here', big)]);

    expect(await pull(mate.client)).toMatchObject({ code: 0, stderr: '' });
    for (const id of [first, again]) {
      const out = birdRaw(mate, ['output', id, '--raw']);
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout.equals(big)).toBe(true);
    }

    // Forgetting one keeps the blob (the other still names it); forgetting both takes it.
    expect(birdRaw(me, ['forget', first]).code).toBe(0);
    expect(await push(me.client)).toMatchObject({ code: 0, stderr: '' });
    expect(await listKeys(team, 'blobs/')).toEqual([blobKeyOf('me@here', big)]);
    expect(birdRaw(me, ['forget', again]).code).toBe(0);
    expect(await push(me.client)).toMatchObject({ code: 0, stderr: '' });
    expect(await listKeys(team, 'blobs/')).toEqual([]);
    expect(await pull(mate.client)).toMatchObject({ code: 0, stderr: '' });
    expect(sqlRows<{ n: number }>(mate, 'SELECT count(*) AS n FROM main.outputs')).toEqual([{ n: 0 }]);
    expect(existsSync(localBlob(mate.client, big))).toBe(false);
  }, 300_000);

  it('a range forget takes from the lake the blobs only the commands it took printed', async () => {
    const team = teamLake(backends, kind);
    const me = await teamMachine('me@here', [team]);
    const onlyOld = randomBytes(20 * 1024);
    const shared = randomBytes(20 * 1024);
    await printedLastYear(me, 1, onlyOld);
    await printedLastYear(me, 2, shared);
    runCat(me, 'now.bin', shared); // a command kept by the forget printed the same bytes
    expect(await push(me.client)).toMatchObject({ code: 0, stderr: '' });
    expect((await listKeys(team, 'blobs/')).sort()).toEqual([blobKeyOf('me@here', onlyOld), blobKeyOf('me@here', shared)].sort());

    const forgot = birdRaw(me, ['forget', '--before', '2025-11-28']);
    expect(forgot.code, forgot.stderr).toBe(0);
    expect(await push(me.client)).toMatchObject({ code: 0, stderr: '' });
    expect(await listKeys(team, 'blobs/')).toEqual([blobKeyOf('me@here', shared)]);
  }, 300_000);

  it('a push uploads, once, the blobs of outputs rows pushed before blobs travelled', async () => {
    const team = teamLake(backends, kind);
    const me = await teamMachine('me@here', [team]);
    const mate = await teamMachine('mate@there', [team]);
    const big = randomBytes(20 * 1024);
    const id = runCat(me, 'early.bin', big);
    expect(await push(me.client)).toMatchObject({ code: 0, stderr: '' });
    // What a bird from before blobs travelled left: its rows in the lake, not their blob, and no note of a backfill.
    await removeObject(team, blobKeyOf('me@here', big));
    rmSync(seriesPaths(syncPaths(me.client.layout, 'team'), 'me@here').blobsBackfilled);
    expect(await listKeys(team, 'blobs/')).toEqual([]);

    expect(await push(me.client)).toMatchObject({ code: 0, stderr: '' });
    expect(await listKeys(team, 'blobs/')).toEqual([blobKeyOf('me@here', big)]);
    expect(await pull(mate.client)).toMatchObject({ code: 0, stderr: '' });
    expect(birdRaw(mate, ['output', id, '--raw']).stdout.equals(big)).toBe(true);
    // Once: a blob gone from the lake after that is not looked for by every push.
    await removeObject(team, blobKeyOf('me@here', big));
    expect(await push(me.client)).toMatchObject({ code: 0, stderr: '' });
    expect(await listKeys(team, 'blobs/')).toEqual([]);
  }, 300_000);

  it('a blob whose bytes do not match its name is named once and left out; the rest comes', async () => {
    const team = teamLake(backends, kind);
    const me = await teamMachine('me@here', [team]);
    const mate = await teamMachine('mate@there', [team]);
    const good = randomBytes(50 * 1024);
    const bad = randomBytes(50 * 1024);
    const goodId = runCat(me, 'good.bin', good);
    const badId = runCat(me, 'bad.bin', bad);
    expect(await push(me.client)).toMatchObject({ code: 0, stderr: '' });
    await putObject(team, blobKeyOf('me@here', bad), gzipSync(randomBytes(1000)));

    const first = await pull(mate.client);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr.split('\n').filter((l) => l.includes(sha256(bad)))).toHaveLength(1);
    expect(first.stderr).toMatch(/do not hash to its name/);
    expect(existsSync(localBlob(mate.client, bad))).toBe(false);
    const missing = birdRaw(mate, ['output', badId, '--raw']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/is missing/);
    const fine = birdRaw(mate, ['output', goodId, '--raw']);
    expect(fine.stdout.equals(good)).toBe(true);
    // Said once: the next pull has nothing new, and says nothing.
    expect(await pull(mate.client)).toMatchObject({ code: 0, stderr: '' });
  }, 300_000);

  it('sync_outputs = false keeps rows and blobs home; turned on, both go', async () => {
    const team = teamLake(backends, kind);
    const me = await teamMachine('me@here', [team]);
    const config = loadConfig(me.client.layout);
    saveConfig(me.client.layout, { ...config, sync: { ...config.sync, sync_outputs: false } });
    const big = randomBytes(20 * 1024);
    runCat(me, 'home.bin', big);
    expect(await push(me.client)).toMatchObject({ code: 0, stderr: '' });
    expect(await listKeys(team, 'blobs/')).toEqual([]);
    expect(await listKeys(team, 'outputs/')).toEqual([]);
    saveConfig(me.client.layout, { ...config, sync: { ...config.sync, sync_outputs: true } });
    expect(await push(me.client)).toMatchObject({ code: 0, stderr: '' });
    expect(await listKeys(team, 'blobs/')).toEqual([blobKeyOf('me@here', big)]);
    expect(await listKeys(team, 'outputs/')).toHaveLength(1);
  }, 300_000);

  it('kill -9 during the push at random instants: every output and blob arrives exactly once', async () => {
    const team = teamLake(backends, kind);
    const me = await teamMachine('me@here', [team]);
    const mate = await teamMachine('mate@there', [team]);
    const kills = new KillWindow();
    const printed: { id: string; bytes: Buffer }[] = [];
    for (let round = 0; round < 8; round++) {
      const bytes = randomBytes(30 * 1024);
      printed.push({ id: runCat(me, `r${round}.bin`, bytes), bytes });
      await kills.run(process.execPath, [SYNC, 'push', '--remote', 'team'], { env: me.client.env });
    }
    expect(await push(me.client)).toMatchObject({ code: 0, stderr: '' });
    expect(await pull(mate.client)).toMatchObject({ code: 0, stderr: '' });
    expect((await listKeys(team, 'blobs/')).sort()).toEqual(printed.map((p) => blobKeyOf('me@here', p.bytes)).sort());
    const rows = sqlRows<{ invocation_id: string; n: number }>(mate, 'SELECT invocation_id, count(*) AS n FROM main.outputs GROUP BY 1');
    expect(rows.map((r) => r.invocation_id).sort()).toEqual(printed.map((p) => p.id).sort());
    expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
    for (const p of printed) expect(birdRaw(mate, ['output', p.id, '--raw']).stdout.equals(p.bytes)).toBe(true);
    expect(kills.killed).toBeGreaterThan(0);
  }, 600_000);
});
