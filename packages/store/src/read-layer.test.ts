import { renameSync, rmSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import type { BirdLayout } from '@bird/core';
import { ConnectionOptions, initStore, openStore, registerCachedRemote, type BirdConnection } from './index.ts';
import { event, fileRemote, invocation, output, session, tempDir, tempLayout, warningSink, writeCached, writeConfig, writeLake, writeLocal } from './testing/fixtures.ts';

/**
 * One store with data everywhere: local (3 invocations), cached remotes `alpha` (2) and
 * `my-team` (1), and attached file remotes `north` (4, two clients) and `south-lake` (5).
 */
let layout: BirdLayout;
let north: string;
let south: string;
const CWD = '/work/a_b%';

beforeAll(async () => {
  layout = tempLayout();
  north = tempDir();
  south = tempDir();
  await initStore(layout, 'parquet');
  writeConfig(layout, [fileRemote('north', north), fileRemote('south-lake', `file://${south}`)]);
  writeLocal(layout, 'invocations', [
    invocation({ cwd: CWD, cmd: 'here' }),
    invocation({ cwd: `${CWD}/sub`, cmd: 'below' }),
    invocation({ cwd: '/work/aXb%', cmd: 'underscore-is-not-a-wildcard', date: '2024-06-02', timestamp: 1_717_329_600_000_000n }),
  ]);
  writeLocal(layout, 'sessions', [session()]);
  writeLocal(layout, 'outputs', [output(), output()]);
  writeLocal(layout, 'events', [event()]);
  await registerCachedRemote(layout, 'alpha');
  await registerCachedRemote(layout, 'my-team');
  writeCached(layout, 'alpha', 'invocations', [invocation({ cwd: '/work/a_b%x', cmd: 'sibling, not below' }), invocation({ cwd: '/work/a_bZZ', cmd: 'percent-is-not-a-wildcard' })]);
  writeCached(layout, 'alpha', 'events', [event(), event(), event()]);
  writeCached(layout, 'my-team', 'invocations', [invocation({ cwd: `${CWD}/deep/er`, cmd: 'cached below' })]);
  writeLake(north, 'invocations', 'n1@a', '2024-06-01', [invocation(), invocation()]);
  writeLake(north, 'invocations', 'n2@b', '2024-06-02', [invocation({ date: '2024-06-02' }), invocation({ date: '2024-06-02' })]);
  writeLake(north, 'sessions', 'n1@a', '2024-06-01', [session()]);
  writeLake(south, 'invocations', 's1@c', '2024-06-01', [1, 2, 3, 4, 5].map(() => invocation()));
});

async function withConnection<T>(work: (c: BirdConnection) => Promise<T>, options?: Partial<ConnectionOptions>): Promise<T> {
  const sink = warningSink();
  const conn = await openStore(layout, { cwd: CWD, onWarning: sink.onWarning }).connect(options);
  try {
    return await work(conn);
  } finally {
    conn.close();
  }
}

const count = async (c: BirdConnection, rel: string) => (await c.query(`SELECT count(*) FROM ${rel}`)).rows[0]![0];
const bySource = async (c: BirdConnection, rel: string) =>
  Object.fromEntries((await c.query(`SELECT _source, count(*) FROM ${rel} GROUP BY ALL ORDER BY 1`)).rows.map((r) => [r[0], r[1]]));

describe('the read layer with data in local, two caches and two remotes', () => {
  test('local holds only what was captured here, for every table', async () => {
    await withConnection(async (c) => {
      expect(await count(c, 'local.invocations')).toBe(3);
      expect(await count(c, 'local.sessions')).toBe(1);
      expect(await count(c, 'local.outputs')).toBe(2);
      expect(await count(c, 'local.events')).toBe(1);
    });
  });

  test('each cached_<name> schema tags its rows with the remote name', async () => {
    await withConnection(async (c) => {
      expect(await bySource(c, 'cached_alpha.invocations')).toEqual({ alpha: 2 });
      expect(await bySource(c, 'cached_alpha.events')).toEqual({ alpha: 3 });
      expect(await bySource(c, 'cached_my_team.invocations')).toEqual({ 'my-team': 1 });
      expect(await count(c, 'cached_my_team.sessions')).toBe(0);
    });
  });

  test('the placeholders are typed and empty', async () => {
    await withConnection(async (c) => {
      for (const schema of ['cached_placeholder', 'remote_placeholder']) {
        for (const t of ['invocations', 'sessions', 'outputs', 'events']) expect(await count(c, `${schema}.${t}`)).toBe(0);
      }
      const cols = (await c.query('SELECT * FROM cached_placeholder.invocations')).columns;
      expect(cols.find((col) => col.name === 'timestamp')?.type).toBe('TIMESTAMP WITH TIME ZONE');
      expect(cols.at(-1)).toEqual({ name: '_source', type: 'VARCHAR' });
    }, ConnectionOptions.minimal());
  });

  test('caches unions every cached_* schema, main adds local', async () => {
    await withConnection(async (c) => {
      expect(await bySource(c, 'caches.invocations')).toEqual({ alpha: 2, 'my-team': 1 });
      expect(await bySource(c, 'main.invocations')).toEqual({ alpha: 2, local: 3, 'my-team': 1 });
      expect(await bySource(c, 'main.events')).toEqual({ alpha: 3, local: 1 });
      expect(await bySource(c, 'main.sessions')).toEqual({ local: 1 });
      expect(await bySource(c, 'main.outputs')).toEqual({ local: 2 });
    });
  });

  test('each attached remote is remote_<name> with its own _source', async () => {
    await withConnection(async (c) => {
      expect(c.attachedRemotes).toEqual(['north', 'south-lake']);
      expect(await bySource(c, 'remote_north.invocations')).toEqual({ north: 4 });
      expect(await bySource(c, 'remote_north.sessions')).toEqual({ north: 1 });
      expect(await count(c, 'remote_north.events')).toBe(0);
      expect(await bySource(c, 'remote_south_lake.invocations')).toEqual({ 'south-lake': 5 });
      expect(await count(c, 'remote_south_lake.outputs')).toBe(0);
    });
  });

  test('remotes_*() macros union every attached remote', async () => {
    await withConnection(async (c) => {
      expect(await bySource(c, 'remotes_invocations()')).toEqual({ north: 4, 'south-lake': 5 });
      expect(await bySource(c, 'remotes_sessions()')).toEqual({ north: 1 });
      expect(await count(c, 'remotes_outputs()')).toBe(0);
      expect(await count(c, 'remotes_events()')).toBe(0);
    });
  });

  test("the seed's Query Everything example sees every row once", async () => {
    await withConnection(async (c) => {
      const sql = 'SELECT * FROM main.invocations UNION ALL BY NAME SELECT * FROM remotes_invocations()';
      expect(await bySource(c, `(${sql})`)).toEqual({ alpha: 2, local: 3, 'my-team': 1, north: 4, 'south-lake': 5 });
      const res = await c.query(`${sql} ORDER BY timestamp DESC`);
      expect(res.rows).toHaveLength(15);
    });
  });

  test('cwd_invocations() keeps the directory and below, with % and _ as plain characters', async () => {
    await withConnection(async (c) => {
      const res = await c.query('SELECT cmd FROM cwd_invocations() ORDER BY cmd');
      expect(res.rows.map((r) => r[0])).toEqual(['below', 'cached below', 'here']);
    });
  });

  test('with zero remotes the macros still bind', async () => {
    await withConnection(async (c) => {
      expect(c.attachedRemotes).toEqual([]);
      expect(await count(c, 'remotes_invocations()')).toBe(0);
      expect(await count(c, 'remotes_events()')).toBe(0);
    }, { attachRemotes: false });
  });

  test('a minimal connection has no remotes and no macros', async () => {
    await withConnection(async (c) => {
      expect(await count(c, 'main.invocations')).toBe(6);
      await expect(c.query('SELECT * FROM remotes_invocations()')).rejects.toThrow(/SQL error: .*remotes_invocations/);
      await expect(c.query('SELECT * FROM remote_north.invocations')).rejects.toThrow(/SQL error/);
    }, ConnectionOptions.minimal());
  });

  test('rows come back JSON-friendly: ISO timestamps with µs, numbers, DuckDB type names', async () => {
    await withConnection(async (c) => {
      const res = await c.query("SELECT timestamp, date, duration_ms, 9007199254740993::BIGINT AS big FROM local.invocations WHERE cmd = 'here'");
      expect(res.columns.map((col) => col.type)).toEqual(['TIMESTAMP WITH TIME ZONE', 'DATE', 'BIGINT', 'BIGINT']);
      expect(res.rows[0]).toEqual(['2024-06-01T12:00:00.123456Z', '2024-06-01', 12, '9007199254740993']);
    });
  });

  test('a SQL error is one sentence with DuckDB’s message', async () => {
    await withConnection(async (c) => {
      const error = await c.query('SELECT nope FROM main.invocations').catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/^SQL error: Binder Error: .*nope.*\.$/);
      expect((error as Error).message).not.toContain('\n');
    });
  });

  test('two connections in one process each have their own macros', async () => {
    const sink = warningSink();
    const store = openStore(layout, { cwd: CWD, onWarning: sink.onWarning });
    const a = await store.connect();
    const b = await store.connect({ attachRemotes: false });
    try {
      expect(await count(a, 'remotes_invocations()')).toBe(9);
      expect(await count(b, 'remotes_invocations()')).toBe(0);
      expect(await count(b, 'cwd_invocations()')).toBe(3);
      a.close();
      expect(await count(b, 'main.invocations')).toBe(6);
    } finally {
      a.close();
      b.close();
    }
  });
});

describe('nothing persisted refers to a remote', () => {
  test('after a remote is removed, renamed or unreachable, every main.* query still works', async () => {
    const gone = tempDir();
    const moved = tempDir();
    writeLake(gone, 'invocations', 'g@x', '2024-06-01', [invocation()]);
    writeLake(moved, 'invocations', 'm@x', '2024-06-01', [invocation()]);
    const l = tempLayout();
    await initStore(l);
    writeLocal(l, 'invocations', [invocation()]);
    writeConfig(l, [fileRemote('gone', gone), fileRemote('moved', moved), fileRemote('unreachable', '/dev/null/lake')]);
    const first = await openStore(l, { onWarning: () => {} }).connect();
    expect(first.attachedRemotes).toEqual(['gone', 'moved']);
    first.close();

    rmSync(gone, { recursive: true });
    renameSync(moved, `${moved}-renamed`);
    const sink = warningSink();
    const conn = await openStore(l, sink).connect();
    try {
      expect(conn.attachedRemotes).toEqual([]);
      expect(sink.warnings).toHaveLength(3);
      expect(sink.warnings[0]).toMatch(/^remote gone not attached: .* is not reachable/);
      expect(sink.warnings[2]).toMatch(/^remote unreachable not attached/);
      for (const t of ['invocations', 'sessions', 'outputs', 'events']) await conn.query(`SELECT * FROM main.${t}`);
      expect(await count(conn, 'main.invocations')).toBe(1);
      expect(await count(conn, 'remotes_invocations()')).toBe(0);
      // The catalog itself never mentions an attachment or a macro.
      const persisted = await conn.query("SELECT sql FROM duckdb_views() WHERE NOT internal AND database_name = current_database()");
      for (const [sql] of persisted.rows) expect(String(sql)).not.toMatch(/remote_(gone|moved|unreachable)|remotes_|cwd_invocations/);
    } finally {
      conn.close();
    }
  });
});
