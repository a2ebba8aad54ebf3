#!/usr/bin/env node
// A pull that brings a few new rows into a large store: does it cost what is new, or what is
// stored? Builds a file lake of CLIENTS series holding ROWS commands in all, a reader store that
// pulled them all (parquet mode), then, RUNS times: one teammate pushes NEW fresh rows and the
// reader pulls them, timed as a fresh `bird-sync pull` process (wall clock, and peak RSS from
// /usr/bin/time -v), interleaved with floors in the same run: `node -e 0`, and a fresh process
// that loads DuckDB and COPYs NEW rows to a Parquet file. With `--before TREE` (a checkout with
// its bundles built, e.g. a worktree of main) the same pulls run with that tree's bird-sync on a
// copy of the reader store, in alternating order. Medians. Writes bench/pull-scale.md.
// `--keep` keeps the folder (printed) with what the next run needs; `--from DIR` (a folder kept so,
// made with the same --rows and --clients) reuses its lake and stores instead of building them again.
//   node bench/pull-scale.mjs [--rows 1000000] [--clients 20] [--new 200] [--runs 5] [--mode parquet|duckdb] [--before TREE] [--keep] [--from DIR] [--profile DIR] [--no-write]
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { build } from 'esbuild';
import { DuckDBInstance } from '@duckdb/node-api';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const INSTALL = createRequire(import.meta.url)('../packages/core/src/install-layout.json');
const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const ROWS = Number(arg('rows', 1_000_000));
const CLIENTS = Number(arg('clients', 20));
const NEW = Number(arg('new', 200));
const RUNS = Number(arg('runs', 5));
const BEFORE = arg('before', null);
/** Keep the lake and stores (their folder is printed), to look into one pull by hand. */
const KEEP = process.argv.includes('--keep');
/** A folder an earlier run kept: its lake and stores are pulled again rather than built. */
const FROM = arg('from', null);
/** Where this tree's timed pulls write a CPU profile each (node --cpu-prof), to see where one goes. */
const PROFILE = arg('profile', null);
const DAYS = 60;
/** The reader's storage mode (the teammates push from parquet-mode stores). */
const MODE = arg('mode', 'parquet');
const trees = { after: repo, ...(BEFORE ? { before: BEFORE } : {}) };
const syncOf = (tree) => join(tree, INSTALL.syncBundle);

const bundle = join(repo, 'node_modules', '.cache', 'bird-bench', 'pull-scale-support.mjs');
await build({
  stdin: {
    contents: "export { initStore } from './packages/store/src/index.ts'; export { birdLayout, saveConfig, defaultConfig } from './packages/core/src/index.ts';",
    resolveDir: repo, loader: 'ts',
  },
  bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'error', external: ['@duckdb/node-api', '@aws-sdk/client-s3'],
});
const { initStore, birdLayout, saveConfig, defaultConfig } = await import(pathToFileURL(bundle).href);

const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;
const scratch = FROM ?? mkdtempSync(join(tmpdir(), 'bird-bench-pull-scale-'));
const db = await (await DuckDBInstance.create(':memory:')).connect();
const lakeDir = FROM ? join(FROM, readdirSync(FROM).find((n) => n.startsWith('lake-'))) : mkdtempSync(join(scratch, 'lake-'));
const remote = { name: 'team', type: 'file', uri: lakeDir, mode: 'read_write', auto_attach: false };
/** How many rows each writer wrote so far (a kept folder's next run numbers its rows on). */
const statePath = join(scratch, 'bench-state.json');

async function root(name, client, mode = 'parquet') {
  const layout = birdLayout(join(scratch, name, 'bird'));
  await initStore(layout, mode);
  saveConfig(layout, { ...defaultConfig(mode), client_id: client, remotes: [remote] });
  return layout;
}

/** `count` commands of `client`, numbered from `from`, spread over DAYS days (or all on the last day). */
// Ids are UUIDv7 of each command's start, as bird's capture makes them.
const select = (client, from, count, lastDayOnly) => `SELECT substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-7' || substr(m, 1, 3) || '-8' || substr(m, 4, 3) || '-' || substr(m, 7, 12) AS id, * EXCLUDE (h, m)
  FROM (SELECT lpad(to_hex(epoch_ms("timestamp")), 12, '0') AS h, md5('${client}' || i::VARCHAR) AS m, * FROM (${rows(client, from, count, lastDayOnly)}))`;
const rows = (client, from, count, lastDayOnly) => `SELECT i, 's-' || (i % 50)::VARCHAR AS session_id,
  TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_microseconds(${lastDayOnly ? `${DAYS - 1} * 86400000000 + (i * 7919) % 86400000000` : `(i % ${DAYS}) * 86400000000 + (i * 7919) % 86400000000`}) AS "timestamp",
  (i % 5000)::BIGINT AS duration_ms, '/home/u/p' || (i % 40)::VARCHAR AS cwd, 'cmd' || (i % 200)::VARCHAR || ' --flag ' || i::VARCHAR AS cmd,
  'cmd' || (i % 200)::VARCHAR AS executable, (i % 3)::INTEGER AS exit_code, '${client}' AS client_id, 'host' AS hostname, 'zsh' AS shell,
  (DATE '2026-01-01' + ${lastDayOnly ? DAYS - 1 : `(i % ${DAYS})::INTEGER`})::DATE AS "date" FROM range(${from}, ${from + count}) t(i)`;
const writeRows = (layout, client, from, count, lastDayOnly) =>
  db.run(`COPY (SELECT * EXCLUDE (i) FROM (${select(client, from, count, lastDayOnly)})) TO '${join(layout.localData, 'invocations')}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY ("date"), WRITE_PARTITION_COLUMNS true, FILENAME_PATTERN 'b{uuid}', APPEND)`);

/** Runs a command under /usr/bin/time -v: wall ms (measured here) and peak RSS in MB. */
function timed(args, extraEnv = {}) {
  const t = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-v', ...args], { env: { ...env, ...extraEnv }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1]);
  // CPU time (user + system, every thread): what a loaded machine's wall clock multiplies.
  const cpu = ['User', 'System'].reduce((sum, kind) => sum + Number(new RegExp(`${kind} time \\(seconds\\): ([\\d.]+)`).exec(r.stderr)?.[1]) * 1000, 0);
  return { ms, mb: kb / 1024, cpu, stdout: r.stdout };
}

function sync(tree, layout, command) {
  const profile = PROFILE && command === 'pull' && tree === repo ? ['--cpu-prof', '--cpu-prof-dir', PROFILE] : [];
  const run = timed([process.execPath, ...profile, syncOf(tree), command, '--remote', 'team', '--json'], { BIRD_ROOT: layout.root });
  return { ...run, summary: JSON.parse(run.stdout).remotes[0] };
}

const writers = [];
let reader;
let first;
if (FROM) {
  const state = JSON.parse(readFileSync(statePath, 'utf8'));
  for (let k = 0; k < CLIENTS; k++) writers.push({ layout: birdLayout(join(scratch, `w${k}`, 'bird')), client: `w${k}@team`, next: state.next[k] });
  reader = birdLayout(join(scratch, 'reader', 'bird'));
  first = state.first;
  rmSync(join(scratch, 'reader-before'), { recursive: true, force: true });
} else {
  console.error(`building a lake of ${CLIENTS} series, ${ROWS} rows (${scratch})`);
  for (let k = 0; k < CLIENTS; k++) {
    const client = `w${k}@team`;
    const layout = await root(`w${k}`, client);
    await writeRows(layout, client, 0, Math.ceil(ROWS / CLIENTS), false);
    sync(repo, layout, 'push');
    writers.push({ layout, client, next: Math.ceil(ROWS / CLIENTS) });
  }
  reader = await root('reader', 'reader@r', MODE);
  const pulled = sync(repo, reader, 'pull');
  first = { ms: pulled.ms, mb: pulled.mb };
  console.error(`first pull: ${pulled.summary.rows} rows, ${first.ms.toFixed(0)} ms, ${first.mb.toFixed(0)} MB`);
}
const readers = { after: reader };
if (BEFORE) {
  cpSync(join(scratch, 'reader'), join(scratch, 'reader-before'), { recursive: true });
  readers.before = birdLayout(join(scratch, 'reader-before', 'bird'));
}

const floorScript = join(scratch, 'duckdb-copy.cjs');
writeFileSync(floorScript, `const { DuckDBInstance } = require(${JSON.stringify(createRequire(import.meta.url).resolve('@duckdb/node-api'))});
(async () => { const c = await (await DuckDBInstance.create(':memory:')).connect();
  await c.run(\`COPY (${select('x@y', 0, NEW, true).replaceAll('`', '\\`')}) TO '\${process.argv[2]}' (FORMAT parquet, COMPRESSION zstd)\`); })();`);

const snapshotOf = (layout) => statSync(join(layout.historyIndex, 'snapshot.bhi'), { throwIfNoEntry: false });
const results = { node: [], duckdb: [], ...Object.fromEntries(Object.keys(trees).map((t) => [t, { ms: [], mb: [], cpu: [], rebuilt: 0 }])) };
for (let run = 0; run < RUNS; run++) {
  const w = writers[run % writers.length];
  await writeRows(w.layout, w.client, w.next, NEW, true);
  w.next += NEW;
  sync(repo, w.layout, 'push');
  const order = run % 2 === 0 ? Object.keys(trees) : Object.keys(trees).reverse();
  for (const tree of order) {
    const before = snapshotOf(readers[tree]);
    const pulled = sync(trees[tree], readers[tree], 'pull');
    if (pulled.summary.rows !== NEW) throw new Error(`${tree}: pulled ${pulled.summary.rows} rows, expected ${NEW}`);
    const after = snapshotOf(readers[tree]);
    if (!before || !after || before.ino !== after.ino || before.mtimeMs !== after.mtimeMs) results[tree].rebuilt++;
    results[tree].ms.push(pulled.ms);
    results[tree].mb.push(pulled.mb);
    results[tree].cpu.push(pulled.cpu);
  }
  results.node.push(timed([process.execPath, '-e', '0']));
  results.duckdb.push(timed([process.execPath, floorScript, join(scratch, `floor-${run}.parquet`)]));
  console.error(`run ${run + 1}: ${order.map((t) => `${t} ${results[t].ms.at(-1).toFixed(0)} ms (cpu ${results[t].cpu.at(-1).toFixed(0)}) ${results[t].mb.at(-1).toFixed(0)} MB`).join(', ')}; node ${results.node.at(-1).ms.toFixed(0)} ms (cpu ${results.node.at(-1).cpu.toFixed(0)}); duckdb ${results.duckdb.at(-1).ms.toFixed(0)} ms (cpu ${results.duckdb.at(-1).cpu.toFixed(0)})`);
}
if (KEEP || FROM) {
  writeFileSync(statePath, JSON.stringify({ next: writers.map((w) => w.next), first }));
  console.error(`kept ${scratch}`);
} else rmSync(scratch, { recursive: true, force: true });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const nodeMs = median(results.node.map((r) => r.ms));
const duckMs = median(results.duckdb.map((r) => r.ms));
const duckMb = median(results.duckdb.map((r) => r.mb));
const lines = [
  `# Pull of ${NEW} new rows into a store of ${ROWS.toLocaleString('en')} rows (${MODE} mode)`,
  '',
  `\`node bench/pull-scale.mjs --rows ${ROWS} --clients ${CLIENTS} --new ${NEW} --runs ${RUNS} --mode ${MODE}${BEFORE ? ' --before TREE' : ''}\` on ${cpus().length} cores (${new Date().toISOString().slice(0, 10)}).`,
  `A file lake of ${CLIENTS} series holding ${ROWS} commands over ${DAYS} days, pulled whole by a ${MODE}-mode store (first pull: ${(first.ms / 1000).toFixed(1)} s, ${first.mb.toFixed(0)} MB).`,
  `Each run one teammate pushes ${NEW} new commands, then the store pulls them: a fresh \`bird-sync pull\` process, wall clock and peak RSS (/usr/bin/time -v).`,
  `Floors in the same runs: \`node -e 0\` ${nodeMs.toFixed(0)} ms; a fresh process loading DuckDB and COPYing ${NEW} rows to Parquet ${duckMs.toFixed(0)} ms, ${duckMb.toFixed(0)} MB. Medians of ${RUNS} runs.`,
  `CPU time (user + system), medians: ${Object.keys(trees).map((t) => `${t} ${median(results[t].cpu).toFixed(0)} ms`).join(', ')}; \`node -e 0\` ${median(results.node.map((r) => r.cpu)).toFixed(0)} ms; DuckDB COPY ${median(results.duckdb.map((r) => r.cpu)).toFixed(0)} ms. Load average at the end: ${loadavg()[0].toFixed(1)}.`,
  '',
  '| tree | pull | peak RSS | ÷ node -e 0 | ÷ DuckDB COPY | index rebuilt |',
  '|---|---|---|---|---|---|',
];
for (const tree of Object.keys(trees)) {
  const r = results[tree];
  const ms = median(r.ms);
  lines.push(`| ${tree} | ${ms.toFixed(0)} ms | ${median(r.mb).toFixed(0)} MB | ${(ms / nodeMs).toFixed(1)}x | ${(ms / duckMs).toFixed(1)}x | ${r.rebuilt} of ${RUNS} pulls |`);
}
lines.push('');
// Hand-written sections (`## …`) after the table are kept when the table is written again; a
// duckdb-mode run prints its table only (bench/pull-scale.md quotes it by hand).
if (MODE === 'parquet' && !process.argv.includes('--no-write')) {
  const out = join(repo, 'bench', 'pull-scale.md');
  let kept = '';
  try {
    const old = readFileSync(out, 'utf8');
    const at = old.indexOf('\n## ');
    if (at >= 0) kept = old.slice(at + 1);
  } catch {
    // no earlier results
  }
  writeFileSync(out, lines.join('\n') + (kept ? `\n${kept}` : ''));
}
console.log(lines.join('\n'));
