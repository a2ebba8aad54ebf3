import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempPathFor } from './atomic-file.ts';
import { processStartTime } from './process-liveness.ts';
import { birdLayout } from './paths.ts';
import { duckdbTempOptions, ownerOfTemporary, sweepDeadTemporaries } from './temporaries.ts';

describe('db/tmp', () => {
  it.each([
    ['a file being written', `${tempPathFor('/x/019a.parquet', '/t').slice(3)}`, [String(process.pid), '-']],
    ['one with dots in its name', 'config.toml.4242.m1k2.0.bird-partial', ['4242', '-']],
    ["duckdb-mode import's batch", 'import-4242-3.parquet', ['4242', '-']],
    ["a DuckDB instance's temp_directory", 'duckdb-4242-123456', ['4242', '123456']],
    ['anything else', 'notes.txt', null],
    ['a partial file with no pid', 'x.bird-partial', null],
  ])('%s is owned by %j', (_what, name, owner) => {
    expect(ownerOfTemporary(name)).toEqual(owner);
  });

  it("DuckDB spills into this process's own folder there", () => {
    const layout = birdLayout('/r');
    expect(duckdbTempOptions(layout).temp_directory).toBe(`/r/db/tmp/duckdb-${process.pid}-${processStartTime(process.pid)}`);
  });

  it('the sweep removes what dead processes left, and nothing of a live one or of unknown owner', () => {
    const layout = birdLayout(mkdtempSync(join(tmpdir(), 'bird-tmp-')));
    mkdirSync(layout.tmp, { recursive: true });
    const dead = Number(String(spawnSync('sh', ['-c', 'echo $$']).stdout).trim());
    const live = spawn('sleep', ['30']);
    try {
      const liveStart = processStartTime(live.pid!)!;
      const names = {
        deadPartial: `019a.parquet.${dead}.abc.0.bird-partial`,
        livePartial: `019a.parquet.${live.pid}.abc.0.bird-partial`,
        mine: tempPathFor(join(layout.tmp, 'x.parquet'), layout.tmp).split('/').at(-1)!,
        deadImport: `import-${dead}-0.parquet`,
        deadDuckdb: `duckdb-${dead}-1`,
        reusedPid: `duckdb-${live.pid}-${Number(liveStart) - 1}`, // that pid, but another process
        liveDuckdb: `duckdb-${live.pid}-${liveStart}`,
        unknown: 'keep-me',
      };
      for (const [key, name] of Object.entries(names)) {
        if (key.endsWith('Duckdb') || key === 'reusedPid') {
          mkdirSync(join(layout.tmp, name));
          writeFileSync(join(layout.tmp, name, 'duckdb_temp_storage_DEFAULT-0.tmp'), 'spilled');
        } else writeFileSync(join(layout.tmp, name), 'x');
      }
      expect(sweepDeadTemporaries(layout).sort()).toEqual([names.deadDuckdb, names.deadImport, names.deadPartial, names.reusedPid].sort());
      expect(readdirSync(layout.tmp).sort()).toEqual([names.liveDuckdb, names.livePartial, names.mine, names.unknown].sort());
    } finally {
      live.kill();
    }
  });
});
