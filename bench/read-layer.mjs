#!/usr/bin/env node
// Read-layer latency: the same queries over `main.invocations` (catalog views: local +
// caches, typed, `_source`) and over the same Parquet read directly by DuckDB, in one run.
// Two stores: 1,000,000 rows compacted into one file per day, and 10,000 one-row files as
// the capture path leaves them. Writes bench/read-layer.md.
//   node bench/read-layer.mjs [--runs N]
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { DuckDBInstance } from '@duckdb/node-api';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 15;

// The store is TypeScript run through bundlers; bundle it for this plain-Node script.
const bundle = join(repo, 'node_modules', '.cache', 'bird-bench', 'store.mjs');
await build({
  stdin: {
    contents: "export * from './packages/store/src/index.ts'; export { birdLayout } from './packages/core/src/index.ts';",
    resolveDir: repo, loader: 'ts',
  },
  bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'error',
  external: ['@duckdb/node-api'],
});
const { initStore, openStore, ConnectionOptions, birdLayout } = await import(pathToFileURL(bundle).href);

const scratch = mkdtempSync(join(tmpdir(), 'bird-bench-read-'));
const gen = await (await DuckDBInstance.create(':memory:')).connect();

const DAYS = 10;
const select = (n) => `SELECT
    uuid()::VARCHAR AS id, 's-' || (i % 500)::VARCHAR AS session_id,
    TIMESTAMPTZ '2024-06-01 00:00:00+00' + to_microseconds((i % ${DAYS}) * 86400000000 + (i * 7919) % 86400000000) AS "timestamp",
    (i % 5000)::BIGINT AS duration_ms, '/home/u/p' || (i % 40)::VARCHAR AS cwd,
    'cmd' || (i % 200)::VARCHAR || ' --flag ' || (i % 7)::VARCHAR AS cmd, 'cmd' || (i % 200)::VARCHAR AS executable,
    (i % 3)::INTEGER AS exit_code, 'u@host' AS client_id, 'host' AS hostname, 'zsh' AS shell,
    (DATE '2024-06-01' + (i % ${DAYS})::INTEGER)::DATE AS "date", i AS k
  FROM range(${n}) t(i)`;

async function makeStore(name, rows, oneFilePerRow) {
  const layout = birdLayout(join(scratch, name));
  await initStore(layout, 'parquet');
  const staging = join(scratch, `${name}-staging`);
  const dest = join(layout.localData, 'invocations');
  const started = performance.now();
  if (!oneFilePerRow) {
    await gen.run(`COPY (SELECT * EXCLUDE (k) FROM (${select(rows)})) TO '${staging}' (FORMAT parquet, PARTITION_BY ("date"), WRITE_PARTITION_COLUMNS true)`);
    for (const part of readdirSync(staging)) {
      mkdirSync(join(dest, part), { recursive: true });
      renameSync(join(staging, part, 'data_0.parquet'), join(dest, part, 'compacted.parquet'));
    }
  } else {
    await gen.run(`COPY (${select(rows)}) TO '${staging}' (FORMAT parquet, PARTITION_BY (k))`);
    for (const part of readdirSync(staging)) {
      const i = Number(part.slice(2));
      const day = join(dest, `date=2024-06-${String(1 + (i % DAYS)).padStart(2, '0')}`);
      mkdirSync(day, { recursive: true });
      renameSync(join(staging, part, 'data_0.parquet'), join(day, `${i}.parquet`));
    }
  }
  rmSync(staging, { recursive: true, force: true });
  console.error(`${name}: ${rows} rows written in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return layout;
}

const QUERIES = {
  'count(*)': (rel) => `SELECT count(*) FROM ${rel}`,
  'GROUP BY cmd': (rel) => `SELECT cmd, count(*) AS n FROM ${rel} GROUP BY cmd ORDER BY n DESC, cmd LIMIT 10`,
  'one day': (rel) => `SELECT count(*), avg(duration_ms) FROM ${rel} WHERE "date" = DATE '2024-06-04'`,
};

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

async function measure(layout, label) {
  const conn = await openStore(layout, { onWarning: (m) => console.error(m) }).connect(ConnectionOptions.minimal());
  const direct = await (await DuckDBInstance.create(':memory:')).connect();
  const glob = join(layout.localData, 'invocations', '*', '*.parquet');
  const out = [];
  for (const [name, q] of Object.entries(QUERIES)) {
    const viewSql = q('main.invocations');
    const directSql = q(`read_parquet('${glob}')`);
    const v = await conn.query(viewSql); // warm-up, and all three must agree
    const d = (await direct.runAndReadAll(directSql)).getRowsJson();
    const same = await conn.query(directSql);
    for (const other of [d, same.rows]) {
      if (JSON.stringify(v.rows.map((r) => r.map(String))) !== JSON.stringify(other.map((r) => r.map(String)))) throw new Error(`${label} ${name}: view and direct read disagree`);
    }
    const tv = [], td = [], ts = [];
    for (let r = 0; r < RUNS; r++) { // interleaved, so machine noise hits every side alike
      let t = performance.now(); await conn.query(viewSql); tv.push(performance.now() - t);
      t = performance.now(); await direct.runAndReadAll(directSql); td.push(performance.now() - t);
      t = performance.now(); await conn.query(directSql); ts.push(performance.now() - t);
    }
    out.push({ label, name, view: median(tv), direct: median(td), sameApi: median(ts) });
    console.error(`${label} ${name}: view ${median(tv).toFixed(1)} ms, direct ${median(td).toFixed(1)} ms, direct through query() ${median(ts).toFixed(1)} ms`);
  }
  conn.close();
  direct.closeSync();
  return out;
}

const results = [];
results.push(...(await measure(await makeStore('compacted', 1_000_000, false), '1,000,000 rows, 10 files')));
results.push(...(await measure(await makeStore('uncompacted', 10_000, true), '10,000 one-row files')));
rmSync(scratch, { recursive: true, force: true });

const NOTES = `
Notes:
- The 10,000-file store is where the view layer matters (a \`bird sql\` before compaction): there it
  costs nothing measurable; the time is DuckDB opening 10,000 footers either way.
- At 1,000,000 compacted rows the queries take ~3 ms, and the view layer adds a fixed ~0.3–0.8 ms,
  so count(*) and the one-day filter land between 1.07x and 1.30x across runs today (this run
  above; two earlier runs 1.22–1.30x): at the bar, sometimes over it. Where it goes (same
  connection, 41 runs): naming the same \`read_parquet\` through any view ~0.3 ms (binding),
  hive partitioning ~0.15 ms, the typed casts ~0.1 ms, \`main\` over \`local\` ~0.1 ms. It does
  not grow with the data: GROUP BY, which does real work, is within the bar, and so is every
  query over 10,000 files. Dropping hive partitioning and the casts would buy ~0.25 ms at the
  price of folder pruning and of the types being fixed by the view rather than by whichever
  file sorts first.
- Since compaction (bird-sync), every \`query()\` also looks at \`db/compaction/\` before and after
  the query (generation and publish intent, PROTOCOL.md): four stat/reads, ~10 µs, inside the
  **view** and **direct via query()** columns alike. The 1,000,000-row store is the after-compaction
  case: one file per day, as \`bird-sync compact\` leaves it.
- With no remote pulled, \`main\` is \`local\` alone: the empty \`caches\` branch it had before
  cost another ~1 ms (count(*) was 1.69x, one day 1.38x).
- Before the unions put the hive \`date\` column first, \`count(*)\` over \`main\` read every \`id\`
  (91 ms vs 6.8 ms direct, 13x); now it is answered from the folder names and footers like the direct read.
`;
const fmt = (ms) => (ms < 10 ? ms.toFixed(1) : ms.toFixed(0));
const lines = [
  '# Read layer: `main.invocations` vs. DuckDB reading the same Parquet directly',
  '',
  `Produced by \`node bench/read-layer.mjs\` (${RUNS} interleaved runs per cell, median, after one warm-up; ` +
    `${cpus().length} cores, Node ${process.version}, @duckdb/node-api 1.5.6-r.1). Three sides per cell: ` +
    '**view** is `main.invocations` through `openStore(…).connect(minimal()).query()`; **direct** is ' +
    "`read_parquet('db/data/local/invocations/*/*.parquet')` on a separate in-memory DuckDB read with " +
    '`runAndReadAll`; **direct via query()** is that same `read_parquet` sent through the same store ' +
    'connection and `query()` as the view, so the only difference from **view** is the view layer. ' +
    'Bar: the view layer ≤ 1.2x of the direct read.',
  '',
  '| data | query | view (ms) | direct (ms) | direct via query() (ms) | view ÷ direct | view ÷ direct via query() | ≤ 1.2x |',
  '|---|---|---:|---:|---:|---:|---:|:---:|',
  ...results.map((r) => `| ${r.label} | ${r.name} | ${fmt(r.view)} | ${fmt(r.direct)} | ${fmt(r.sameApi)} | ${(r.view / r.direct).toFixed(2)} | ${(r.view / r.sameApi).toFixed(2)} | ${r.view / r.sameApi <= 1.2 ? 'yes' : 'no'} |`),
  ...NOTES.split('\n'),
];
writeFileSync(join(repo, 'bench', 'read-layer.md'), lines.join('\n'));
console.log(lines.join('\n'));
