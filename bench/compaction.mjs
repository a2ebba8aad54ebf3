#!/usr/bin/env node
// Compaction: `bird-sync compact` over 10,000 one-row files (10 closed days, as captures leave
// them) against the floor, a DuckDB COPY of the same files into one zstd file, both in fresh
// processes, interleaved. Also count(*) before and after, and the CPU of one automatic
// compaction (today's partition at the default min_files). Writes bench/compaction.md.
//   node bench/compaction.mjs [--runs N]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { build } from 'esbuild';
import { DuckDBInstance } from '@duckdb/node-api';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
/** Where the build puts each bundle (packages/core/src/install-layout.ts). */
const INSTALL = createRequire(import.meta.url)('../packages/core/src/install-layout.json');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const SYNC = join(repo, INSTALL.syncBundle);
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;

const bundle = join(repo, 'node_modules', '.cache', 'bird-bench', 'store.mjs');
await build({
  stdin: { contents: "export * from './packages/store/src/index.ts'; export { birdLayout } from './packages/core/src/index.ts';", resolveDir: repo, loader: 'ts' },
  bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'error', external: ['@duckdb/node-api'],
});
const { initStore, openStore, ConnectionOptions, birdLayout } = await import(pathToFileURL(bundle).href);

const scratch = mkdtempSync(join(tmpdir(), 'bird-bench-compact-'));
const gen = await (await DuckDBInstance.create(':memory:')).connect();
const DAYS = 10;
const select = (n, day0) => `SELECT uuid()::VARCHAR AS id, 's-' || (i % 50)::VARCHAR AS session_id,
    TIMESTAMPTZ '${day0} 00:00:00+00' + to_microseconds((i % ${DAYS}) * 86400000000 + (i * 7919) % 86400000000) AS "timestamp",
    (i % 5000)::BIGINT AS duration_ms, '/home/u/p' || (i % 40)::VARCHAR AS cwd, 'cmd' || (i % 200)::VARCHAR || ' --flag' AS cmd,
    'cmd' || (i % 200)::VARCHAR AS executable, (i % 3)::INTEGER AS exit_code, 'u@host' AS client_id, 'host' AS hostname, 'zsh' AS shell,
    (DATE '${day0}' + (i % ${DAYS})::INTEGER)::DATE AS "date", i AS k FROM range(${n}) t(i)`;

/** A store of `n` one-row files spread over `days` days from `day0`. */
async function oneRowStore(name, n, day0, days = DAYS) {
  const layout = birdLayout(join(scratch, name));
  await initStore(layout, 'parquet');
  writeFileSync(layout.config, `[compaction]\nmin_age_seconds = 0\n`);
  const staging = join(scratch, `${name}-staging`);
  await gen.run(`COPY (${select(n, day0).replace(`% ${DAYS}`, `% ${days}`).replace(`% ${DAYS})::INTEGER`, `% ${days})::INTEGER`)}) TO '${staging}' (FORMAT parquet, PARTITION_BY (k))`);
  const dest = join(layout.localData, 'invocations');
  for (const part of readdirSync(staging)) {
    const i = Number(part.slice(2));
    const d = new Date(Date.parse(`${day0}T00:00:00Z`) + (i % days) * 86_400_000).toISOString().slice(0, 10);
    mkdirSync(join(dest, `date=${d}`), { recursive: true });
    renameSync(join(staging, part, 'data_0.parquet'), join(dest, `date=${d}`, `${i}.parquet`));
  }
  rmSync(staging, { recursive: true, force: true });
  return layout;
}

/** Wall ms, peak RSS and CPU of one fresh `node` process. */
const probe = join(scratch, 'probe.cjs');
writeFileSync(probe, "process.on('exit', () => { const r = process.resourceUsage(); require('fs').writeFileSync(process.env.BIRD_BENCH_PROBE, JSON.stringify({ rss: r.maxRSS, cpu: (r.userCPUTime + r.systemCPUTime) / 1000 })); });\n");
function timed(args, extraEnv = {}) {
  const out = join(scratch, `probe-${Math.random()}.json`);
  const t = performance.now();
  const r = spawnSync(process.execPath, ['--require', probe, ...args], { env: { ...env, ...extraEnv, BIRD_BENCH_PROBE: out }, encoding: 'utf8' });
  const wall = performance.now() - t;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return { wall, ...JSON.parse(readFileSync(out, 'utf8')) };
}

const floorScript = join(scratch, 'floor.cjs');
writeFileSync(floorScript, `const { DuckDBInstance } = require(${JSON.stringify(join(repo, 'node_modules/@duckdb/node-api'))});
(async () => { const c = await (await DuckDBInstance.create(':memory:')).connect();
  await c.run("COPY (SELECT * FROM read_parquet('" + process.argv[2] + "/*/*.parquet') ORDER BY timestamp) TO '" + process.argv[3] + "' (FORMAT parquet, COMPRESSION zstd)"); })();\n`);

const template = await oneRowStore('template', 10_000, '2024-06-01');
if (process.env.BIRD_BENCH_KEEP) { execFileSync('cp', ['-a', template.root, process.env.BIRD_BENCH_KEEP]); process.exit(0); }
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const floor = [], ours = [];
for (let r = 0; r < RUNS; r++) {
  for (const side of r % 2 ? ['ours', 'floor'] : ['floor', 'ours']) {
    const copy = join(scratch, `run-${r}-${side}`);
    execFileSync('cp', ['-a', template.root, copy]);
    if (side === 'floor') floor.push(timed([floorScript, join(copy, 'db/data/local/invocations'), join(scratch, `floor-${r}.parquet`)]));
    else ours.push(timed([...(process.env.BIRD_BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BIRD_BENCH_PROF] : []), SYNC, 'compact'], { BIRD_ROOT: copy }));
    rmSync(copy, { recursive: true, force: true });
    console.error(`run ${r} ${side}: ${(side === 'floor' ? floor : ours).at(-1).wall.toFixed(0)} ms`);
  }
}

async function countMs(layout) {
  const conn = await openStore(layout).connect(ConnectionOptions.minimal());
  await conn.query('SELECT count(*) FROM main.invocations');
  const ts = [];
  for (let i = 0; i < 15; i++) { const t = performance.now(); await conn.query('SELECT count(*) FROM main.invocations'); ts.push(performance.now() - t); }
  conn.close();
  return median(ts);
}
const before = await countMs(template);
execFileSync(process.execPath, [SYNC, 'compact'], { env: { ...env, BIRD_ROOT: template.root } });
const after = await countMs(template);

// One automatic compaction: today's partition at min_files (50) one-row files, as the drainer starts it.
const today = new Date().toISOString().slice(0, 10);
const auto = [];
for (let r = 0; r < RUNS; r++) {
  const layout = await oneRowStore(`auto-${r}`, 50, today, 1);
  auto.push(timed([SYNC, 'compact', '--auto'], { BIRD_ROOT: layout.root }));
}
const nodeFloor = [];
for (let r = 0; r < RUNS; r++) nodeFloor.push(timed(['-e', '0']));
rmSync(scratch, { recursive: true, force: true });

const m = (xs, k) => median(xs.map((x) => x[k]));
const lines = [
  '# Compaction: `bird-sync compact` vs. a DuckDB `COPY` of the same files',
  '',
  `Produced by \`node bench/compaction.mjs\` (${RUNS} interleaved runs, median; ${cpus().length} cores, Node ${process.version}, NODE_EXTRA_CA_CERTS unset). ` +
    'Both sides are fresh processes over a fresh copy of the same store: 10,000 one-row invocation files over 10 closed days. ' +
    'The floor reads them all with one `read_parquet` glob and writes one zstd file sorted by time; `bird-sync compact` writes one file per day (typed, deduplicated by id, sorted, zstd), ' +
    'records the merged ids, publishes under its protocol (PROTOCOL.md) and deletes the 10,000 sources. Bar: ≤ 1.5x of the floor.',
  '',
  '| side | wall (ms) | peak RSS (MB) | CPU (ms) |',
  '|---|---:|---:|---:|',
  `| floor: DuckDB COPY, one process | ${m(floor, 'wall').toFixed(0)} | ${(m(floor, 'rss') / 1024).toFixed(0)} | ${m(floor, 'cpu').toFixed(0)} |`,
  `| bird-sync compact | ${m(ours, 'wall').toFixed(0)} | ${(m(ours, 'rss') / 1024).toFixed(0)} | ${m(ours, 'cpu').toFixed(0)} |`,
  `| ratio | **${(m(ours, 'wall') / m(floor, 'wall')).toFixed(2)}x** | ${(m(ours, 'rss') / m(floor, 'rss')).toFixed(2)}x | ${(m(ours, 'cpu') / m(floor, 'cpu')).toFixed(2)}x |`,
  '',
  '`count(*)` over `main.invocations` through `query()` (15 runs, median):',
  '',
  '| store | count(*) (ms) |',
  '|---|---:|',
  `| 10,000 one-row files | ${before.toFixed(1)} |`,
  `| after bird-sync compact (10 files) | ${after.toFixed(1)} |`,
  `| speed-up | ${(before / after).toFixed(0)}x |`,
  '',
  'One automatic compaction (what the drainer starts once today\'s partition has `min_files` = 50 one-row files), a fresh process:',
  '',
  '| | wall (ms) | CPU (ms) |',
  '|---|---:|---:|',
  `| \`node -e 0\` (floor) | ${m(nodeFloor, 'wall').toFixed(0)} | ${m(nodeFloor, 'cpu').toFixed(0)} |`,
  `| bird-sync compact --auto, 50 files | ${m(auto, 'wall').toFixed(0)} | ${m(auto, 'cpu').toFixed(0)} |`,
  '',
];
writeFileSync(join(repo, 'bench', 'compaction.md'), lines.join('\n'));
console.log(lines.join('\n'));
