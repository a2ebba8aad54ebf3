#!/usr/bin/env node
// What `bird redact` and a duckdb-mode forget cost at a team's sizes, against floors in the same
// run, interleaved:
//   - `bird redact --dry-run` over a parquet store of N commands (one in a thousand holding a
//     token) against `bird sql` reading every command's text once (the same start and the same
//     bytes read, without the rules);
//   - `bird redact` itself (on a fresh copy of the store each run);
//   - `bird forget ID` of one command in a duckdb-mode store of N commands (which rewrites
//     bird.duckdb so that no byte of it stays) against a DuckDB `COPY FROM DATABASE` of the same
//     file in a fresh process.
// Writes bench/redact.md.   node bench/redact.mjs [--runs N] [--sizes 100000,1000000]
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { build } from 'esbuild';
import { DuckDBInstance } from '@duckdb/node-api';

// This bench builds the history index with `bird history` and times that as a rebuild: keep it in
// the foreground at every size (large stores otherwise answer from the store and rebuild detached).
process.env.BIRD_INDEX_FOREGROUND_BYTES = String(Number.MAX_SAFE_INTEGER);

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const INSTALL = createRequire(import.meta.url)('../packages/core/src/install-layout.json');
const arg = (name, fallback) => (process.argv.indexOf(name) > 0 ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const RUNS = Number(arg('--runs', '3'));
const SIZES = arg('--sizes', '100000,1000000').split(',').map(Number);
const BIRD = join(repo, INSTALL.cliBundle);
const env = { ...process.env, BIRD_CLIENT_ID: 'u@host' };
delete env.NODE_EXTRA_CA_CERTS;

const bundle = join(repo, 'node_modules', '.cache', 'bird-bench', 'store.mjs');
await build({
  stdin: { contents: "export * from './packages/store/src/index.ts'; export { birdLayout } from './packages/core/src/index.ts';", resolveDir: repo, loader: 'ts' },
  bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'error', external: ['@duckdb/node-api'],
});
const { initStore, birdLayout } = await import(pathToFileURL(bundle).href);

const scratch = mkdtempSync(join(tmpdir(), 'bird-bench-redact-'));
const DAYS = 365;
const rows = (n) => `SELECT uuidv7()::VARCHAR AS id, 's-' || (i % 5000)::VARCHAR AS session_id,
    TIMESTAMPTZ '2025-01-01 00:00:00+00' + to_microseconds((i % ${DAYS}) * 86400000000 + (i * 7919) % 86400000000) AS "timestamp",
    (i % 5000)::BIGINT AS duration_ms, '/home/u/p' || (i % 40)::VARCHAR AS cwd,
    CASE WHEN i % 1000 = 7 THEN 'export GITHUB_TOKEN=ghp_' || md5(i::VARCHAR) ELSE 'git commit -m "change ' || (i % 9973)::VARCHAR || '" --author u' END AS cmd,
    'git' AS executable, (i % 3)::INTEGER AS exit_code, 'u@host' AS client_id, 'host' AS hostname, 'zsh' AS shell,
    (DATE '2025-01-01' + (i % ${DAYS})::INTEGER)::DATE AS "date" FROM range(${n}) t(i)`;

async function parquetStore(n) {
  const layout = birdLayout(join(scratch, `parquet-${n}`));
  await initStore(layout, 'parquet');
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  // As compaction leaves a store: one file per day.
  await db.run(`COPY (${rows(n)}) TO '${join(layout.localData, 'invocations')}' (FORMAT parquet, PARTITION_BY ("date"), OVERWRITE_OR_IGNORE, COMPRESSION zstd)`);
  return layout;
}

async function duckdbStore(n) {
  const layout = birdLayout(join(scratch, `duckdb-${n}`));
  await initStore(layout, 'duckdb');
  const instance = await DuckDBInstance.create(layout.catalog);
  const db = await instance.connect();
  await db.run(`INSERT INTO local.invocations BY NAME ${rows(n)}`);
  const id = (await db.runAndReadAll('SELECT id FROM local.invocations LIMIT 1')).getRows()[0][0];
  db.closeSync();
  instance.closeSync();
  return { layout, id };
}

/** Wall ms of one fresh process. */
function timed(cmd, args, extraEnv = {}) {
  const started = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env: { ...env, ...extraEnv }, encoding: 'utf8', maxBuffer: 1 << 30 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const copyFloor = join(scratch, 'copy-floor.mjs');
writeFileSync(copyFloor, `import { DuckDBInstance } from ${JSON.stringify(pathToFileURL(createRequire(import.meta.url).resolve('@duckdb/node-api')).href)};
const [src, dest] = process.argv.slice(2);
const c = await (await DuckDBInstance.create(src)).connect();
await c.run("ATTACH '" + dest + "' AS fresh");
await c.run('COPY FROM DATABASE bird TO fresh');
await c.run('DETACH fresh');
c.closeSync();`);

const table = [];
for (const n of SIZES) {
  const store = await parquetStore(n);
  // As a store in use has it: the history index built (by an untimed `bird history`), so a
  // removal's upkeep of the index is measured, not a first build.
  timed(process.execPath, [BIRD, 'history', '-n', '1'], { BIRD_ROOT: store.root });
  const dry = [], floor = [], real = [], forget = [], copy = [];
  for (let run = 0; run < RUNS; run++) {
    floor.push(timed(process.execPath, [BIRD, 'sql', '--format', 'csv', 'SELECT sum(length(cmd)) FROM local.invocations'], { BIRD_ROOT: store.root }));
    dry.push(timed(process.execPath, [BIRD, 'redact', '--dry-run', '--json'], { BIRD_ROOT: store.root }));
    const copyRoot = join(scratch, `parquet-${n}-run${run}`);
    cpSync(store.root, copyRoot, { recursive: true });
    real.push(timed(process.execPath, [BIRD, 'redact'], { BIRD_ROOT: copyRoot }));
    rmSync(copyRoot, { recursive: true, force: true });

    const dd = await duckdbStore(n);
    timed(process.execPath, [BIRD, 'history', '-n', '1'], { BIRD_ROOT: dd.layout.root });
    const floorDest = join(scratch, `floor-${n}-${run}.duckdb`);
    copy.push(timed(process.execPath, [copyFloor, dd.layout.catalog, floorDest]));
    forget.push(timed(process.execPath, [BIRD, 'forget', String(dd.id)], { BIRD_ROOT: dd.layout.root }));
    rmSync(floorDest, { force: true });
    rmSync(dd.layout.root, { recursive: true, force: true });
  }
  table.push({ n, floor: median(floor), dry: median(dry), real: median(real), copy: median(copy), forget: median(forget) });
  rmSync(store.root, { recursive: true, force: true });
  console.log(table.at(-1));
}
rmSync(scratch, { recursive: true, force: true });

const cpu = cpus()[0]?.model ?? 'unknown';
const fmt = (ms) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
const lines = [
  '# bird redact, and forget in duckdb mode',
  '',
  `\`node bench/redact.mjs --runs ${RUNS} --sizes ${SIZES.join(',')}\` on ${cpus().length} × ${cpu}, Node ${process.version}; medians of ${RUNS} interleaved runs, each a fresh process.`,
  'Stores of N commands over 365 days, one in a thousand holding a GitHub token; parquet stores as compaction leaves them (a file a day).',
  '',
  '| commands | floor: `bird sql` reading every text | `bird redact --dry-run` | ratio | `bird redact` | floor: DuckDB `COPY FROM DATABASE` (duckdb mode) | `bird forget ID` (duckdb mode, file rewritten) | ratio |',
  '|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...table.map((r) => `| ${r.n.toLocaleString('en')} | ${fmt(r.floor)} | ${fmt(r.dry)} | ${(r.dry / r.floor).toFixed(1)}x | ${fmt(r.real)} | ${fmt(r.copy)} | ${fmt(r.forget)} | ${(r.forget / r.copy).toFixed(1)}x |`),
  '',
];
writeFileSync(join(repo, 'bench', 'redact.md'), `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
