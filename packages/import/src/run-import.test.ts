import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEMP_SUFFIX, birdLayout, ensureRoot, localPartitionDir, type BirdLayout } from '@bird/core';
import { ConnectionOptions, initStore, openStore } from '@bird/store';
import { IMPORT_BATCH_ROWS, importHistory } from './run-import.ts';

/** Files written for `table`: those the store holds, in every day partition, and those staged to be published (parquet mode). */
function writtenFiles(layout: BirdLayout, table: 'invocations'): number {
  const dir = dirname(localPartitionDir(layout, table, '2020-01-01'));
  let n = 0;
  for (const day of readdirSync(dir, { withFileTypes: true })) if (day.isDirectory()) n += readdirSync(join(dir, day.name)).length;
  if (existsSync(layout.tmp)) n += readdirSync(layout.tmp).filter((name) => name.endsWith(TEMP_SUFFIX)).length;
  return n;
}

describe('importHistory of a large history', () => {
  it('writes batches while it reads, so memory holds a batch and not the file; every entry once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bird-import-stream-'));
    const layout = birdLayout(join(dir, 'root'));
    const config = ensureRoot(layout);
    await initStore(layout);
    const file = join(dir, '.zsh_history');
    const N = 200_000;
    // An entry a minute: ~139 days, over 4 MB, so several chunks and batches.
    writeFileSync(file, Array.from({ length: N }, (_, i) => `: ${1_600_000_000 + i * 60}:0;echo entry-${i}\n`).join(''));
    const seen: { done: number; total: number; filesWritten: number }[] = [];
    const summary = await importHistory(layout, config, 'zsh', file, {
      env: { ...process.env, BIRD_CLIENT_ID: 'me@host' },
      onProgress: (done, total) => seen.push({ done, total, filesWritten: writtenFiles(layout, 'invocations') }),
    });
    expect(summary).toMatchObject({ read: N, imported: N, duplicates: 0, unreadable: 0 });
    // The first batch was on disk, whole (staged to be published with the next ones), before
    // the rest of the file was decided (test/import-kill.test.ts: published before the end).
    expect(seen.length).toBeGreaterThan(N / IMPORT_BATCH_ROWS - 1);
    expect(seen[0]!.filesWritten).toBeGreaterThan(0);
    expect(seen[0]!.done).toBeLessThan(seen.at(-1)!.done);
    const conn = await openStore(layout).connect(ConnectionOptions.minimal());
    try {
      const [[rows, ids, sessions]] = (await conn.query("SELECT count(*), count(DISTINCT id), (SELECT count(*) FROM local.sessions) FROM local.invocations")).rows as [[bigint, bigint, bigint]];
      expect([Number(rows), Number(ids), Number(sessions)]).toEqual([N, N, 1]);
    } finally {
      conn.close();
    }
  }, 120_000);
});
