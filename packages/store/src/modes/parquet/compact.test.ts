import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TABLES, bumpGeneration, defaultConfig, ensureRoot, mergedIdsPath, readMergedIds, recordMergedIds, unfinishedPublishDay, type BirdConfig } from '@bird/core';
import { encodeParquet } from '@bird/writer-parquet';
import { initStore, openStore } from '../../index.ts';
import { invocation, session, tempLayout, writeLocal } from '../../testing/fixtures.ts';
import { compactParquet as compact } from './compact.ts';

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
    expect(filesOf(join(inv, 'date=-infinity'))).toEqual(['_bird_placeholder.parquet']);
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

  it('merges the rows of 1970-01-01 (a machine without a real-time clock) like any other day, in a store whose placeholders an older bird kept in that day', async () => {
    const layout = tempLayout();
    ensureRoot(layout);
    await initStore(layout);
    const epoch = join(layout.localData, 'invocations', 'date=1970-01-01');
    mkdirSync(epoch, { recursive: true });
    copyFileSync(join(layout.localData, 'invocations', 'date=-infinity', '_bird_placeholder.parquet'), join(epoch, '_bird_placeholder.parquet'));
    writeLocal(layout, 'invocations', Array.from({ length: 3 }, (_, i) => invocation({ cmd: `clockless ${i}`, timestamp: BigInt(i + 1) * 1_000_000n, date: '1970-01-01' })));
    expect(await compact(layout, config())).toMatchObject({ outcome: 'done', filesIn: 3, filesOut: 1 });
    expect(filesOf(epoch)).toEqual(['_bird_placeholder.parquet', expect.stringMatching(/^c-/)]);
    expect(await counts(layout)).toEqual({ n: 3, d: 3 });
  });

  /** A compactor killed between steps 4 and 5: the merged file in place, its sources not yet deleted. */
  async function halfPublished(layout: ReturnType<typeof tempLayout>): Promise<string> {
    ensureRoot(layout);
    await initStore(layout);
    const rows = Array.from({ length: 3 }, (_, i) => invocation({ cmd: `echo ${i}` }));
    writeLocal(layout, 'invocations', rows);
    const dir = join(layout.localData, 'invocations', 'date=2024-06-01');
    bumpGeneration(layout);
    const earlier = new Date(Date.now() - 2000);
    utimesSync(join(layout.compaction, 'generation'), earlier, earlier);
    recordMergedIds(layout, 'invocations', '2024-06-01', rows.map((r) => r.id)); // recorded after the last bump
    writeFileSync(join(dir, 'c-00aa.parquet'), encodeParquet(TABLES.invocations, rows));
    return dir;
  }

  it('finishes a publish whose intent cannot be read by the rows of its day, keeps the intent in quarantine, and says so', async () => {
    const layout = tempLayout();
    const dir = await halfPublished(layout);
    writeFileSync(join(layout.compaction, 'publishing'), '{"table":"invoc');
    const warnings: string[] = [];
    await compact(layout, config(), { onWarning: (w) => warnings.push(w) });
    expect(filesOf(dir)).toEqual(['c-00aa.parquet']);
    expect(existsSync(join(layout.compaction, 'publishing'))).toBe(false);
    expect(readFileSync(join(layout.quarantine, 'compaction', 'publishing'), 'utf8')).toBe('{"table":"invoc');
    expect(warnings).toEqual([expect.stringMatching(/publishing could not be read; finished its publish by the rows on disk \(3 files held by \S+c-00aa\.parquet removed\) and kept the intent as \S+quarantine\/compaction\/publishing\.$/)]);
    expect(await counts(layout)).toEqual({ n: 3, d: 3 });
  });

  it('finishes a publish whose intent is gone: its ids, recorded after the last bump of the generation, name the day', async () => {
    const layout = tempLayout();
    const dir = await halfPublished(layout);
    const steps: string[] = [];
    await compact(layout, config(), { onStep: (s) => steps.push(s) });
    expect(filesOf(dir)).toEqual(['c-00aa.parquet']);
    expect(steps[0]).toMatch(/^finished a publish a compactor left without an intent \(3 files held by \S+c-00aa\.parquet removed\)$/);
    expect(await counts(layout)).toEqual({ n: 3, d: 3 });
    expect(unfinishedPublishDay(layout)).toBeNull();
  });

  it.each([
    ['deleted', (path: string) => rmSync(path)],
    ['cut short', (path: string) => truncateSync(path, 50)],
    ['overwritten', (path: string) => writeFileSync(path, 'garbage')],
  ])('rebuilds an ids file that was %s from the merged files of its day', async (_what, damage) => {
    const layout = tempLayout();
    ensureRoot(layout);
    await initStore(layout);
    const rows = Array.from({ length: 4 }, (_, i) => invocation({ cmd: `echo ${i}` }));
    writeLocal(layout, 'invocations', rows);
    await compact(layout, config());
    const path = mergedIdsPath(layout, 'invocations', '2024-06-01');
    damage(path);
    const steps: string[] = [];
    await compact(layout, config(), { onStep: (s) => steps.push(s) });
    expect(steps).toContain(`rebuilt ${path} from 1 merged files`);
    expect([...readMergedIds(layout, 'invocations', '2024-06-01')].sort()).toEqual(rows.map((r) => r.id).sort());
    expect(unfinishedPublishDay(layout)).toBeNull(); // the rewrite is not taken for a publish left unfinished
  });
});
