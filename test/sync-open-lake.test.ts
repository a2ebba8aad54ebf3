// The lake is open: a pushed lake read by other engines (pyarrow and polars, from Python), with
// no bird code, sees every row once with its `client` and `date` partition columns.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { birdLayout, ensureRoot, loadConfig, type RemoteConfig } from '@bird/core';
import { initStore } from '@bird/store';
import { invocation, session, tempDir, writeConfig, writeLocal } from '../packages/store/src/testing/fixtures.ts';
import { push } from '../packages/sync-worker/src/index.ts';

const hasPython = spawnSync('python3', ['-c', 'import pyarrow, polars'], { encoding: 'utf8' }).status === 0;

const READ = `
import json, sys
import pyarrow.dataset as ds
import polars as pl
root = sys.argv[1]
t = ds.dataset(root + "/invocations", format="parquet", partitioning="hive").to_table()
by_client = {}
for c in t.column("client").to_pylist():
    by_client[c] = by_client.get(c, 0) + 1
p = pl.scan_parquet(root + "/invocations/**/*.parquet", hive_partitioning=True).collect()
print(json.dumps({
  "pyarrow_rows": t.num_rows,
  "pyarrow_distinct_ids": len(set(t.column("id").to_pylist())),
  "pyarrow_clients": by_client,
  "pyarrow_columns": sorted(t.column_names),
  "polars_rows": p.height,
  "polars_dates": sorted(set(str(d) for d in p["date"].to_list())),
}))
`;

describe.skipIf(!hasPython && !process.env.CI)('a pushed lake read by other engines', () => {
  it('pyarrow and polars read every row once, with client and date from the folders', async () => {
    const lake = tempDir('bird-open-lake-');
    const remote: RemoteConfig = { name: 'team', type: 'file', uri: lake, mode: 'read_write', auto_attach: false };
    for (const [id, n] of [['alice@a', 3], ['bob@b', 2]] as const) {
      const layout = birdLayout(join(tempDir('bird-open-client-'), 'bird'));
      ensureRoot(layout);
      writeConfig(layout, [remote]);
      await initStore(layout);
      writeLocal(layout, 'invocations', Array.from({ length: n }, (_, i) => invocation({ client_id: id, cmd: `c${i}`, date: i === 0 ? '2024-06-01' : '2024-06-02' })));
      writeLocal(layout, 'sessions', [session({ client_id: id })]);
      const config = loadConfig(layout);
      await push(layout, config, config.remotes[0]!, { env: { ...process.env, BIRD_CLIENT_ID: id } });
    }
    const r = spawnSync('python3', ['-c', READ, lake], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.pyarrow_rows).toBe(5);
    expect(out.pyarrow_distinct_ids).toBe(5);
    expect(out.pyarrow_clients).toEqual({ 'alice@a': 3, 'bob@b': 2 });
    expect(out.pyarrow_columns).toEqual(expect.arrayContaining(['id', 'cmd', 'timestamp', 'client_id', 'client', 'date']));
    expect(out.polars_rows).toBe(5);
    expect(out.polars_dates).toEqual(['2024-06-01', '2024-06-02']);
  });
});
