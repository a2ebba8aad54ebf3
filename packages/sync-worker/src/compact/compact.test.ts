import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig, ensureRoot, readMergedIds, type BirdConfig } from '@bird/core';
import { initStore, openStore } from '@bird/store';
import { invocation, session, tempLayout, writeLocal } from '../../../store/src/testing/fixtures.ts';
import { compact } from './compact.ts';

const config = (over: Partial<BirdConfig['compaction']> = {}): BirdConfig => ({ ...defaultConfig(), compaction: { ...defaultConfig().compaction, min_files: 3, min_age_seconds: 0, ...over } });

async function counts(layout: ReturnType<typeof tempLayout>) {
  const c = await openStore(layout).connect({ attachRemotes: false });
  try {
    const { rows } = await c.query('SELECT count(*)::INT AS n, count(DISTINCT id)::INT AS d FROM main.invocations');
    return { n: Number(rows[0]![0]), d: Number(rows[0]![1]) };
  } finally {
    c.close();
  }
}

const filesOf = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.parquet')).sort() : []);

describe('compact', () => {
  it('ends each closed day as one sorted zstd file, keeps every row once, and leaves placeholders alone', async () => {
    const layout = tempLayout();
    ensureRoot(layout);
    await initStore(layout);
    const rows = Array.from({ length: 60 }, (_, i) => invocation({ cmd: `echo ${i}`, timestamp: 1_717_243_200_000_000n + BigInt((60 - i) * 1000), date: i % 2 ? '2024-06-01' : '2024-06-02' }));
    writeLocal(layout, 'invocations', rows);
    writeLocal(layout, 'sessions', [session({ session_id: 's-1' }), session({ session_id: 's-1' }), session({ session_id: 's-2' })]);
    expect(await counts(layout)).toEqual({ n: 60, d: 60 });

    const result = await compact(layout, config());
    expect(result).toMatchObject({ outcome: 'done', filesIn: 63, filesOut: 3, rows: 62 });
    const inv = join(layout.localData, 'invocations');
    expect(filesOf(join(inv, 'date=2024-06-01'))).toHaveLength(1);
    expect(filesOf(join(inv, 'date=2024-06-02'))).toHaveLength(1);
    expect(filesOf(join(inv, 'date=1970-01-01'))).toEqual(['_bird_placeholder.parquet']);
    expect(await counts(layout)).toEqual({ n: 60, d: 60 });
    // Sessions written twice (a retried capture) end once.
    const c = await openStore(layout).connect({ attachRemotes: false });
    try {
      expect((await c.query('SELECT count(*)::INT FROM main.sessions')).rows[0]![0]).toBe(2);
      // Sorted by timestamp inside the merged file.
      const file = join(inv, 'date=2024-06-01', filesOf(join(inv, 'date=2024-06-01'))[0]!);
      const ts = (await c.query(`SELECT epoch_us(timestamp) FROM read_parquet('${file}')`)).rows.map((r) => BigInt(r[0] as bigint));
      expect(ts).toEqual([...ts].sort((a, b) => (a < b ? -1 : 1)));
      const codec = (await c.query(`SELECT DISTINCT compression FROM parquet_metadata('${file}')`)).rows.map((r) => String(r[0]));
      expect(codec).toEqual(['ZSTD']);
    } finally {
      c.close();
    }
    expect(readMergedIds(layout, 'invocations', '2024-06-01').size).toBe(30);
    // Run again: nothing left to do.
    expect(await compact(layout, config())).toMatchObject({ filesIn: 0, filesOut: 0 });
  });

  it('plans without changing anything on --dry-run', async () => {
    const layout = tempLayout();
    ensureRoot(layout);
    writeLocal(layout, 'invocations', Array.from({ length: 5 }, () => invocation()));
    const before = filesOf(join(layout.localData, 'invocations', 'date=2024-06-01'));
    const result = await compact(layout, config(), { dryRun: true });
    expect(result).toMatchObject({ outcome: 'dry-run', filesIn: 5, filesOut: 1 });
    expect(filesOf(join(layout.localData, 'invocations', 'date=2024-06-01'))).toEqual(before);
  });

  it('sets a damaged file aside in quarantine, names it, and merges the rest', async () => {
    const layout = tempLayout();
    ensureRoot(layout);
    await initStore(layout);
    writeLocal(layout, 'invocations', Array.from({ length: 4 }, (_, i) => invocation({ cmd: `ok ${i}` })));
    const dir = join(layout.localData, 'invocations', 'date=2024-06-01');
    writeFileSync(join(dir, 'broken.parquet'), 'PAR1 this is not parquet');
    const warnings: string[] = [];
    const result = await compact(layout, config(), { onWarning: (w) => warnings.push(w) });
    expect(result.filesIn).toBe(4);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/broken\.parquet is damaged .*moved it to .*quarantine.*broken\.parquet and merged the rest\.$/);
    expect(existsSync(join(layout.quarantine, 'data', 'local', 'invocations', 'date=2024-06-01', 'broken.parquet'))).toBe(true);
    expect(filesOf(dir)).toHaveLength(1);
    expect(await counts(layout)).toEqual({ n: 4, d: 4 });
  });

  it('does nothing, and says so, while another compaction holds the lock', async () => {
    const layout = tempLayout();
    ensureRoot(layout);
    writeLocal(layout, 'invocations', Array.from({ length: 4 }, () => invocation()));
    const { tryCompactionLock } = await import('@bird/core');
    const held = tryCompactionLock(layout)!;
    try {
      expect(await compact(layout, config())).toMatchObject({ outcome: 'locked', filesIn: 0 });
    } finally {
      held.release();
    }
    expect(await compact(layout, config())).toMatchObject({ outcome: 'done', filesIn: 4 });
  });
});
