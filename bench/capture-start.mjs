#!/usr/bin/env node
// Fresh-process start-up of bird-capture, per encoder, against the floor `node -e 0`.
//
//   node bench/capture-start.mjs [--runs N] [--rss-runs N]
//
// Builds the product (scripts/build.mjs capture: minified bundle + loader with a V8 code cache),
// the same bundle plain and minified without the cache, and the same
// capture path with the apache-arrow + parquet-wasm encoder (bench/arrow-capture-entry.ts),
// plain and minified, into bench/.work/. Then, interleaved and in a rotating order, it times
// each variant writing one new invocation into its own BIRD_ROOT (root and session already
// there, as for every command after a shell's first). Wall time is measured around spawnSync;
// peak RSS comes from `/usr/bin/time -f %M` in separate runs. NODE_EXTRA_CA_CERTS and
// NODE_OPTIONS are unset for every run. Finally it reads one file of each variant back with
// DuckDB to check they hold the same row with the same column types. Prints a Markdown table.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..');
/** Where the build puts each bundle (packages/core/src/install-layout.ts). */
const INSTALL = createRequire(import.meta.url)('../packages/core/src/install-layout.json');
const work = join(here, '.work');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '25' }, 'rss-runs': { type: 'string', default: '10' } } });
const RUNS = Number(values.runs);
const RSS_RUNS = Number(values['rss-runs']);
const TIME = '/usr/bin/time';

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

// --- build -----------------------------------------------------------------------------
const built = spawnSync(process.execPath, [join(repo, 'scripts', 'build.mjs'), 'capture'], { cwd: repo, stdio: 'inherit' });
if (built.status !== 0) throw new Error('scripts/build.mjs capture failed');
const product = join(repo, INSTALL.captureBundle);

async function bundle(entry, outfile, minify) {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify,
    legalComments: 'none',
    external: ['@duckdb/node-api'],
    logLevel: 'warning',
  });
  return outfile;
}
const captureEntry = join(repo, 'packages', 'capture', 'src', 'main.ts');
const arrowEntry = join(here, 'arrow-capture-entry.ts');
const productPlain = await bundle(captureEntry, join(work, 'bird-capture.plain.cjs'), false);
const productMin = await bundle(captureEntry, join(work, 'bird-capture.min.cjs'), true);
const arrow = await bundle(arrowEntry, join(work, 'arrow-capture.cjs'), false);
const arrowMin = await bundle(arrowEntry, join(work, 'arrow-capture.min.cjs'), true);
// parquet-wasm's Node glue reads its .wasm from the bundle's own folder.
copyFileSync(join(repo, 'node_modules', 'parquet-wasm', 'node', 'parquet_wasm_bg.wasm'), join(work, 'parquet_wasm_bg.wasm'));

// --- variants --------------------------------------------------------------------------
const env = { ...process.env, BIRD_CLIENT_ID: 'bench@host' };
delete env.NODE_EXTRA_CA_CERTS;
delete env.NODE_OPTIONS;
delete env.BIRD_DISABLED;

const START = 1_700_000_000_000_000n;
let seq = 0n;
const captureArgs = () => {
  seq += 1n;
  const start = START + seq * 1_000_000n;
  return ['--cmd', `make test # run ${seq}`, '--exit', '0', '--start-us', String(start), '--end-us', String(start + 250_000n), '--cwd', '/home/bench', '--session', 'bench-session', '--shell', 'zsh'];
};

const kb = (path) => Math.round(statSync(path).size / 1024);
const variants = [
  { name: '`node -e 0` (floor)', file: null, args: () => ['-e', '0'] },
  { name: 'bird-capture as built: own one-page encoder, minified, V8 code cache', file: product, size: join(dirname(product), 'bird-capture.bundle.js'), args: captureArgs },
  { name: 'as built, but a plain bundle (no minify, no cache)', file: productPlain, args: captureArgs },
  { name: 'as built, but minified without the cache', file: productMin, args: captureArgs },
  { name: 'apache-arrow + parquet-wasm', file: arrow, args: captureArgs },
  { name: 'apache-arrow + parquet-wasm, minified', file: arrowMin, args: captureArgs },
].map((v, i) => ({ ...v, root: join(work, `root${i}`), wall: [], rss: [] }));

function command(v) {
  return v.file ? [v.file, ...v.args()] : v.args();
}
function run(v, argv, prefix = []) {
  const [cmd, ...rest] = prefix.length ? [...prefix, process.execPath, ...argv] : [process.execPath, ...argv];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, rest, { env: { ...env, BIRD_ROOT: v.root }, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${v.name} failed (exit ${r.status}): ${r.stderr}`);
  return { ms, stderr: r.stderr };
}

// Warm-up: creates each root, config and session, and fills the page cache.
for (const v of variants) for (let i = 0; i < 3; i++) run(v, command(v));

for (let round = 0; round < RUNS; round++) {
  for (let k = 0; k < variants.length; k++) {
    const v = variants[(round + k) % variants.length];
    v.wall.push(run(v, command(v)).ms);
  }
}

const haveTime = existsSync(TIME);
if (haveTime) {
  for (let round = 0; round < RSS_RUNS; round++) {
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(round + k) % variants.length];
      const { stderr } = run(v, command(v), [TIME, '-f', '%M']);
      v.rss.push(Number(stderr.trim().split('\n').at(-1)));
    }
  }
}

// --- check: every variant wrote the same row with the same types ------------------------
const { DuckDBInstance } = await import('@duckdb/node-api');
const db = await DuckDBInstance.create(':memory:');
const conn = await db.connect();
const written = [];
for (const v of variants.slice(1)) {
  const dir = join(v.root, 'db', 'data', 'local', 'invocations');
  const partition = join(dir, readdirSync(dir)[0]);
  const file = join(partition, readdirSync(partition).sort()[0]);
  const describe = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`)).getRowObjectsJS();
  const rows = (
    await conn.runAndReadAll(
      `SELECT * EXCLUDE (id, "timestamp"), epoch_us("timestamp") AS ts_us FROM read_parquet('${file}')`,
    )
  ).getRowObjectsJson();
  written.push({ name: v.name, types: JSON.stringify(describe.map((d) => [d.column_name, d.column_type, d.null])), row: JSON.stringify(rows) });
}
conn.closeSync();
db.closeSync();
const sameTypes = written.every((w) => w.types === written[0].types);
const sameRows = written.every((w) => w.row.replace(/run \d+/, '') === written[0].row.replace(/run \d+/, '').replace(/"ts_us":"\d+"/, w.row.match(/"ts_us":"\d+"/)[0]));

// --- report ----------------------------------------------------------------------------
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const floorWall = median(variants[0].wall);
const floorRss = haveTime ? median(variants[0].rss) : NaN;

const lines = [
  `Node ${process.version}, ${RUNS} interleaved runs per row (wall), ${haveTime ? `${RSS_RUNS} runs under ${TIME} -f %M (peak RSS)` : 'peak RSS not measured: /usr/bin/time is missing (apt-get install -y time)'}; NODE_EXTRA_CA_CERTS unset.`,
  '',
  '| variant | bundle | wall median | p25–p75 | × floor | peak RSS median | × floor | ≤ 1.3x |',
  '|---|---:|---:|---:|---:|---:|---:|:-:|',
];
for (const v of variants) {
  const wall = median(v.wall);
  const rss = haveTime ? median(v.rss) : NaN;
  const ratio = wall / floorWall;
  lines.push(
    `| ${v.name} | ${v.file ? `${kb(v.size ?? v.file)} KB` : '–'} | ${wall.toFixed(1)} ms | ${quantile(v.wall, 0.25).toFixed(1)}–${quantile(v.wall, 0.75).toFixed(1)} | ${ratio.toFixed(2)}x | ${haveTime ? `${(rss / 1024).toFixed(1)} MB` : 'n/a'} | ${haveTime ? `${(rss / floorRss).toFixed(2)}x` : 'n/a'} | ${v.file ? (ratio <= 1.3 ? 'yes' : '**no**') : ''} |`,
  );
}
lines.push('');
lines.push(`Same column types in every variant's file: ${sameTypes ? 'yes' : '**NO**'}; same row values: ${sameRows ? 'yes' : '**NO**'}.`);
if (!sameTypes) for (const w of written) lines.push(`- ${w.name}: ${w.types}`);
if (!sameRows) for (const w of written) lines.push(`- ${w.name}: ${w.row}`);
console.log(lines.join('\n'));
