import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { INVOCATIONS, SESSIONS, quoteLiteral } from '@bird/core';
import { encodeParquet } from '@bird/writer-parquet';
import { initStore, openStore, quarantineDir, registerCachedRemote } from './index.ts';
import { fileRemote, invocation, session, tempDir, tempLayout, warningSink, writeCached, writeConfig, writeLake, writeLocal } from './testing/fixtures.ts';

describe('bad Parquet files in a data folder', () => {
  test('truncated, non-Parquet and foreign files are skipped, named, and kept in quarantine', async () => {
    const layout = tempLayout();
    await initStore(layout);
    await registerCachedRemote(layout, 'team');
    writeLocal(layout, 'invocations', [invocation(), invocation()]);
    writeCached(layout, 'team', 'invocations', [invocation()]);
    const day = join(layout.localData, 'invocations', 'date=2024-06-01');
    const good = encodeParquet(INVOCATIONS, [invocation()]);
    writeFileSync(join(day, 'truncated.parquet'), good.subarray(0, good.length - 9));
    writeFileSync(join(day, 'notes.parquet'), 'this is a text file, not Parquet at all\n');
    writeFileSync(join(day, 'foreign.parquet'), encodeParquet(SESSIONS, [session()]));
    const cachedDay = join(layout.dataDir, 'cached', 'team', 'invocations', 'date=2024-06-01');
    writeFileSync(join(cachedDay, 'tiny.parquet'), 'PAR1');

    const sink = warningSink();
    const conn = await openStore(layout, sink).connect();
    // count(cmd), not count(*): a bare count reads no column, so DuckDB never looks inside a foreign-but-valid file.
    const res = await conn.query('SELECT _source, count(cmd) FROM main.invocations GROUP BY ALL ORDER BY 1');
    expect(res.rows).toEqual([['local', 2], ['team', 1]]);
    expect(res.warnings).toHaveLength(4);
    expect(sink.warnings).toEqual(res.warnings);
    for (const name of ['truncated.parquet', 'notes.parquet', 'foreign.parquet', 'tiny.parquet']) {
      expect(res.warnings!.some((w) => w.startsWith('skipped bad file ') && w.includes(name))).toBe(true);
    }
    expect(res.warnings!.find((w) => w.includes('foreign.parquet'))).toMatch(/not a BIRD invocations file/);
    // Kept, outside every reader glob; the next query is clean.
    expect(readdirSync(join(quarantineDir(layout), 'data', 'local', 'invocations', 'date=2024-06-01')).sort()).toEqual(['foreign.parquet', 'notes.parquet', 'truncated.parquet']);
    expect(existsSync(join(quarantineDir(layout), 'data', 'cached', 'team', 'invocations', 'date=2024-06-01', 'tiny.parquet'))).toBe(true);
    const again = await conn.query('SELECT count(*) FROM main.invocations');
    expect(again.rows).toEqual([[3]]);
    expect(again.warnings).toBeUndefined();
    conn.close();
  });

  test('a bad file in a remote is left where it is and skipped on that connection', async () => {
    const layout = tempLayout();
    const lake = tempDir();
    await initStore(layout);
    writeLake(lake, 'invocations', 'c@h', '2024-06-01', [invocation(), invocation()]);
    const badDir = join(lake, 'invocations', 'client=c@h', 'date=2024-06-02');
    mkdirSync(badDir, { recursive: true });
    writeFileSync(join(badDir, 'broken.parquet'), 'not parquet');
    writeConfig(layout, [fileRemote('lake', lake)]);
    const sink = warningSink();
    const conn = await openStore(layout, sink).connect();
    const res = await conn.query('SELECT count(*) FROM remotes_invocations()');
    expect(res.rows).toEqual([[2]]);
    expect(res.warnings).toEqual([expect.stringMatching(/^skipped bad file .*broken\.parquet of remote lake/)]);
    expect(existsSync(join(badDir, 'broken.parquet'))).toBe(true);
    expect((await conn.query('SELECT count(*) FROM remote_lake.invocations')).rows).toEqual([[2]]);
    conn.close();
  });

  test('a placeholder deleted by hand is written again', async () => {
    const layout = tempLayout();
    await initStore(layout);
    const conn = await openStore(layout, { onWarning: () => {} }).connect();
    const { rmSync } = await import('node:fs');
    rmSync(join(layout.localData, 'events'), { recursive: true });
    expect((await conn.query('SELECT count(*) FROM main.events')).rows).toEqual([[0]]);
    conn.close();
  });
});

describe('Parquet files with the right columns but the wrong types', () => {
  /** A real Parquet file written by DuckDB's COPY: an invocations row whose `timestamp` is text. */
  async function textTimestampFile(file: string, timestamp: string, asSql = `${quoteLiteral(timestamp)}::VARCHAR`): Promise<void> {
    mkdirSync(join(file, '..'), { recursive: true });
    const instance = await DuckDBInstance.create(':memory:');
    const c = await instance.connect();
    await c.run(`COPY (SELECT 'i' AS id, 's' AS session_id, ${asSql} AS "timestamp", 1::BIGINT AS duration_ms, '/' AS cwd,
      'wrong' AS cmd, 'wrong' AS executable, 0 AS exit_code, 'c' AS client_id, 'h' AS hostname, 'zsh' AS shell) TO ${quoteLiteral(file)} (FORMAT parquet)`);
    c.closeSync();
    instance.closeSync();
  }

  test('local and cached ones are quarantined, a remote one is skipped in place; castable ones stay', async () => {
    const layout = tempLayout();
    const lake = tempDir();
    await initStore(layout);
    await registerCachedRemote(layout, 'team');
    writeLocal(layout, 'invocations', [invocation(), invocation()]);
    writeCached(layout, 'team', 'invocations', [invocation()]);
    writeLake(lake, 'invocations', 'c@h', '2024-06-01', [invocation()]);
    writeConfig(layout, [fileRemote('lake', lake)]);
    const local = join(layout.localData, 'invocations', 'date=2024-06-02', 'wrong.parquet');
    const cached = join(layout.dataDir, 'cached', 'team', 'invocations', 'date=2024-06-02', 'wrong.parquet');
    const remote = join(lake, 'invocations', 'client=c@h', 'date=2024-06-02', 'wrong.parquet');
    const fine = join(layout.localData, 'invocations', 'date=2024-06-03', 'text-but-fine.parquet');
    await textTimestampFile(local, 'Jan 1st');
    await textTimestampFile(cached, 'soon');
    await textTimestampFile(remote, 'later');
    await textTimestampFile(fine, '2024-06-03 10:00:00');
    const nested = join(layout.localData, 'invocations', 'date=2024-06-02', 'nested.parquet');
    await textTimestampFile(nested, '', `{'at': 1}`);

    const sink = warningSink();
    const conn = await openStore(layout, sink).connect();
    const res = await conn.query(`SELECT _source, count(*) FROM (SELECT * FROM main.invocations UNION ALL BY NAME SELECT * FROM remotes_invocations()) WHERE "timestamp" > TIMESTAMPTZ '2000-01-01' GROUP BY ALL ORDER BY 1`);
    expect(res.rows).toEqual([['lake', 1], ['local', 3], ['team', 1]]);
    expect(res.warnings).toHaveLength(4);
    expect(res.warnings!.find((w) => w.includes(nested))).toMatch(/column "timestamp" is STRUCT\("?at"? INTEGER\), not TIMESTAMP WITH TIME ZONE/);
    expect(sink.warnings).toEqual(res.warnings);
    expect(res.warnings!.find((w) => w.includes(local))).toMatch(/column "timestamp" is VARCHAR, not TIMESTAMP WITH TIME ZONE.*moved it to/);
    expect(res.warnings!.find((w) => w.includes(remote))).toMatch(/of remote lake/);
    expect(existsSync(join(quarantineDir(layout), 'data', 'local', 'invocations', 'date=2024-06-02', 'wrong.parquet'))).toBe(true);
    expect(existsSync(join(quarantineDir(layout), 'data', 'cached', 'team', 'invocations', 'date=2024-06-02', 'wrong.parquet'))).toBe(true);
    expect(existsSync(remote)).toBe(true);
    expect(existsSync(fine)).toBe(true);
    conn.close();
  });
});

describe("bird's own placeholders, damaged", () => {
  const rewritten = async (path: string) => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      return (await connection.runAndReadAll(`SELECT count(*) FROM read_parquet(${quoteLiteral(path)})`)).getRows()[0]![0] === 0n;
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  };
  const foreignParquet = async (path: string, select: string) => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      await connection.run(`COPY (${select}) TO ${quoteLiteral(path)} (FORMAT parquet)`);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  };

  test('cut short or overwritten, this machine\'s and a pulled remote\'s are written again (not quarantined) and queries answer', async () => {
    const layout = tempLayout();
    await initStore(layout);
    await registerCachedRemote(layout, 'team');
    writeLocal(layout, 'invocations', [invocation(), invocation()]);
    writeCached(layout, 'team', 'invocations', [invocation()]);
    const local = join(layout.localData, 'invocations', 'date=-infinity', '_bird_placeholder.parquet');
    const cached = join(layout.dataDir, 'cached', 'team', 'invocations', 'date=-infinity', '_bird_placeholder.parquet');
    writeFileSync(local, 'PAR1 cut');
    writeFileSync(cached, 'garbage');
    const sink = warningSink();
    const conn = await openStore(layout, sink).connect();
    try {
      expect((await conn.query('SELECT _source, count(cmd) FROM main.invocations GROUP BY ALL ORDER BY 1')).rows).toEqual([['local', 2], ['team', 1]]);
    } finally {
      conn.close();
    }
    expect(sink.warnings).toEqual([]);
    expect(await rewritten(local)).toBe(true);
    expect(await rewritten(cached)).toBe(true);
    expect(existsSync(quarantineDir(layout))).toBe(false);
  });

  test.each([['date=-infinity'], ['date=1970-01-01']])('one in %s replaced by a Parquet file of other columns (the error names no file) is written again on the failed query', async (partition) => {
    const layout = tempLayout();
    await initStore(layout);
    writeLocal(layout, 'invocations', [invocation(), invocation({ date: '1970-01-01', timestamp: 1_000_000n })]);
    const dir = join(layout.localData, 'invocations', partition);
    mkdirSync(dir, { recursive: true });
    await foreignParquet(join(dir, '_bird_placeholder.parquet'), `SELECT 'x' AS id`);
    const conn = await openStore(layout).connect();
    try {
      expect((await conn.query('SELECT count(cmd) FROM main.invocations')).rows).toEqual([[2]]);
    } finally {
      conn.close();
    }
    expect(await rewritten(join(dir, '_bird_placeholder.parquet'))).toBe(true);
  });
});
