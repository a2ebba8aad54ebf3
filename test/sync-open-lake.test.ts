// The lake is open: a pushed lake read by other engines (pyarrow and polars, from Python), with
// no bird code, sees every row once with its `client` and `date` partition columns.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { birdLayout, ensureRoot, loadConfig, TABLE_NAMES, type RemoteConfig } from '@bird/core';
import { initStore } from '@bird/store';
import { invocation, session, tempDir, writeConfig, writeLocal } from '../packages/store/src/testing/fixtures.ts';
import { push } from '../packages/sync-worker/src/index.ts';
import { lakeTableFiles, parseLakeKey } from '../packages/remote/src/index.ts';
import { forgetCommands } from '../packages/cli/src/forget/forget-commands.ts';
import { writeTeamLake } from './support/team-lake.ts';

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

// Every engine is told the partition columns' types: left to guess, all three type a `client`
// folder such as `client=42` as a number, and pyarrow types `date` as a string.
const READ_TEAM = `
import json, sys
import duckdb, pyarrow as pa, pyarrow.dataset as ds, pyarrow.parquet as pq, polars as pl
root = sys.argv[1]
parts = ds.HivePartitioning(pa.schema([("client", pa.string()), ("date", pa.date32())]), segment_encoding="none")
def counts(pairs): return {str(c): int(n) for c, n in pairs}
out = {}
inv = ds.dataset(root + "/invocations", format="parquet", partitioning=parts)
t = inv.to_table(columns=["id", "client", "date"])
out["pyarrow"] = {"rows": t.num_rows, "ids": len(set(t.column("id").to_pylist())),
  "clients": counts((r["client"], r["id_count"]) for r in t.group_by("client").aggregate([("id", "count")]).to_pylist()),
  "date_type": str(t.schema.field("date").type), "client_type": str(t.schema.field("client").type)}
out["files"] = [f[len(root) + 1:] for f in ds.dataset(root, format="parquet").files]
out["schemas"] = {}
for table in ["invocations", "sessions"]:
  for f in ds.dataset(root + "/" + table, format="parquet").files:
    s = pq.read_schema(f)
    out["schemas"].setdefault(table, {}).setdefault(str([(x.name, str(x.type)) for x in s]), []).append(f[len(root) + 1:])
p = pl.scan_parquet(root + "/invocations/**/*.parquet", hive_partitioning=True, hive_schema={"client": pl.String, "date": pl.Date})
g = p.group_by("client").agg(pl.len()).collect()
out["polars"] = {"rows": p.select(pl.len()).collect().item(), "clients": counts(zip(g["client"], g["len"])),
  "date_type": str(p.collect_schema()["date"]), "dates": sorted(str(d) for d in p.select(pl.col("date").unique()).collect()["date"])}
con = duckdb.connect()
def scan(table): return f"read_parquet('{root}/{table}/*/*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {{'client': 'VARCHAR', 'date': 'DATE'}})"
out["duckdb"] = {"rows": con.sql(f"SELECT count(*) FROM {scan('invocations')}").fetchone()[0],
  "clients": counts(con.sql(f"SELECT client, count(*) FROM {scan('invocations')} GROUP BY client").fetchall()),
  "sessions": counts(con.sql(f"SELECT client, count(*) FROM {scan('sessions')} GROUP BY client").fetchall()),
  "date_type": con.sql(f"SELECT DISTINCT typeof(date) FROM {scan('invocations')}").fetchall(),
  "ids_of_wrong_series": con.sql(f"SELECT count(*) FROM {scan('invocations')} WHERE client_id <> client").fetchone()[0]}
print(json.dumps(out))
`;

describe.skipIf(!hasPython && !process.env.CI)('a 1,000-client lake read where it lies', () => {
  it('pyarrow, polars and DuckDB read every row, per client, typed, and nothing but batches', async () => {
    const lake = tempDir('bird-team-lake-');
    const remote: RemoteConfig = { name: 'team', type: 'file', uri: lake, mode: 'read_write', auto_attach: false };
    // Two series pushed by bird itself, one of them with a forget (a batch withdrawn and deleted)...
    const pushed = new Map<string, number>();
    for (const [id, n] of [['alice@laptop.example', 4], ['bob@b', 3]] as const) {
      const layout = birdLayout(join(tempDir('bird-team-client-'), 'bird'));
      ensureRoot(layout);
      writeConfig(layout, [remote]);
      await initStore(layout);
      const env = { ...process.env, BIRD_CLIENT_ID: id };
      const rows = Array.from({ length: n }, (_, i) => invocation({ client_id: id, cmd: `c${i}`, date: i % 2 === 0 ? '2024-06-01' : '2024-06-02' }));
      writeLocal(layout, 'invocations', rows);
      writeLocal(layout, 'sessions', [session({ client_id: id })]);
      await push(layout, loadConfig(layout), loadConfig(layout).remotes[0]!, { env });
      writeLocal(layout, 'invocations', [invocation({ client_id: id, cmd: 'later', date: '2024-06-02' })]);
      await push(layout, loadConfig(layout), loadConfig(layout).remotes[0]!, { env });
      pushed.set(id, n + 1);
      if (id === 'alice@laptop.example') {
        const gone = rows[0]!;
        await forgetCommands(layout, env, [{ id: gone.id, cmd: gone.cmd, startUs: Number(gone.timestamp), clientId: id }]);
        await push(layout, loadConfig(layout), loadConfig(layout).remotes[0]!, { env });
        pushed.set(id, n);
      }
    }
    // ...and 998 more, written in the same layout and schema.
    const team = await writeTeamLake(lake, Array.from({ length: 998 }, (_, k) => `dev${k}@host${k % 37}.example`));
    const expected = Object.fromEntries([...pushed, ...team.invocations]);

    const r = spawnSync('python3', ['-c', READ_TEAM, lake], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    const total = Object.values(expected).reduce((a, b) => a + b, 0);

    for (const engine of ['pyarrow', 'polars', 'duckdb']) {
      expect(out[engine].rows, engine).toBe(total);
      expect(out[engine].clients, engine).toEqual(expected);
    }
    expect(Object.keys(expected)).toHaveLength(1000);
    expect(out.pyarrow.ids).toBe(total);
    expect(out.pyarrow).toMatchObject({ date_type: 'date32[day]', client_type: 'string' });
    expect(out.polars).toMatchObject({ date_type: 'Date', dates: ['2024-06-01', '2024-06-02'] });
    expect(out.duckdb.date_type).toEqual([['DATE']]);
    expect(out.duckdb.ids_of_wrong_series).toBe(0);
    expect(out.duckdb.sessions).toEqual(Object.fromEntries([...[...pushed.keys()].map((c) => [c, 1]), ...team.sessions]));
    // A scan of the whole lake reads batches only: `_bird/` (JSON) is skipped for its leading `_`.
    const batches = TABLE_NAMES.flatMap((t) => lakeTableFiles(lake, t)).map((f) => relative(lake, f));
    expect(batches.length).toBeGreaterThan(team.batches);
    expect([...out.files].sort()).toEqual(batches.sort());
    expect(out.files.filter((f: string) => parseLakeKey(f) === null)).toEqual([]);
    expect(existsSync(join(lake, '_bird', 'lake.json'))).toBe(true);
    // The generated batches have exactly the columns and types of the ones bird's push wrote.
    for (const table of ['invocations', 'sessions']) expect(Object.keys(out.schemas[table]), table).toHaveLength(1);
  }, 120_000); // six pushes and three engines over ~4,000 files on a shared machine
});
