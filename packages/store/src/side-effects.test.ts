// A statement with side effects that a compaction's publish overlaps: the store runs every query
// again after a publish, and a `COPY … TO` run again over what its first run wrote fails (a
// partitioned COPY refuses a folder that is not empty). `beforeRetry` undoes the first run.
// The publish is real as far as readers can tell: the generation file is bumped while the
// COPY runs, as a compactor's step 6 does.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bumpGeneration, quoteLiteral } from '@bird/core';
import { ConnectionOptions, initStore, openStore } from './index.ts';
import { tempDir, tempLayout } from './testing/fixtures.ts';

async function copyDuringPublish(withUndo: boolean) {
  const layout = tempLayout();
  await initStore(layout, 'parquet');
  const out = join(tempDir('bird-copy-'), 'out');
  const conn = await openStore(layout, { onWarning: () => undefined }).connect(ConnectionOptions.minimal());
  let runs = 0;
  try {
    // The first run takes long enough for the "publish" below to land inside it.
    const sql = `COPY (SELECT i % 4 AS p, i FROM range(3000000) t(i)) TO ${quoteLiteral(out)} (FORMAT parquet, PARTITION_BY (p))`;
    const published = new Promise<void>((resolve) =>
      setTimeout(() => {
        bumpGeneration(layout);
        resolve();
      }, 30),
    );
    const result = conn.query(sql, withUndo ? { beforeRetry: () => (runs++, rmSync(out, { recursive: true, force: true })) } : {});
    await published;
    const done = await result;
    const files = await conn.query(`SELECT count(*) FROM read_parquet(${quoteLiteral(join(out, '*', '*.parquet'))})`);
    return { result: done, runs, out, stored: Number(files.rows[0]![0]) };
  } finally {
    conn.close();
  }
}

describe('a COPY overlapped by a publish', () => {
  it('without beforeRetry, the run again fails on what the first run wrote', async () => {
    await expect(copyDuringPublish(false)).rejects.toThrow(/not empty/i);
  });

  it('with beforeRetry, it is undone first and the second run writes every row once', async () => {
    const { result, runs, out, stored } = await copyDuringPublish(true);
    expect(runs).toBe(1);
    expect(Number(result.rows[0]![0])).toBe(3_000_000);
    expect(stored).toBe(3_000_000);
    expect(readdirSync(out).sort()).toEqual(['p=0', 'p=1', 'p=2', 'p=3']);
  });
});
