#!/usr/bin/env node
// A teammate's pull of 100 outputs of 100 KB (random, so gzip gains nothing), through a folder
// lake: the pull as bird does it (eager: rows, then the blobs they name) against the same pull
// with the lake's blob area moved away (the rows alone: what a lazy pull would move up front).
// Fresh `bird-sync` processes; medians. Writes bench/lake-blobs.md.   node bench/lake-blobs.mjs [--runs N]
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const INSTALL = createRequire(import.meta.url)('../packages/core/src/install-layout.json');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;
const OUTPUTS = 100;
const SIZE = 100 * 1024;
const SYNC = join(repo, INSTALL.syncBundle);
const BIRD = join(repo, INSTALL.cliBundle);

const bundle = join(repo, 'node_modules', '.cache', 'bird-bench', 'lake-blobs-support.mjs');
await build({
  stdin: { contents: "export { initStore } from './packages/store/src/index.ts'; export { birdLayout, saveConfig, defaultConfig, ensureRoot } from './packages/core/src/index.ts';", resolveDir: repo, loader: 'ts' },
  bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'error', external: ['@duckdb/node-api'],
});
const { initStore, birdLayout, saveConfig, defaultConfig, ensureRoot } = await import(pathToFileURL(bundle).href);
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;

const lake = mkdtempSync(join(tmpdir(), 'bird-bench-lake-'));
const remote = { name: 'team', type: 'file', uri: lake, mode: 'read_write', auto_attach: false };
async function store(id) {
  const layout = birdLayout(join(mkdtempSync(join(tmpdir(), 'bird-bench-')), 'bird'));
  ensureRoot(layout, 'parquet', { ...env, BIRD_CLIENT_ID: id });
  saveConfig(layout, { ...defaultConfig('parquet'), remotes: [remote] });
  await initStore(layout, 'parquet');
  return { layout, env: { ...env, BIRD_ROOT: layout.root, BIRD_CLIENT_ID: id } };
}
function run(bin, args, e) {
  const r = spawnSync(process.execPath, [bin, ...args], { env: e, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  return r;
}
const owner = await store('owner@bench');
const files = mkdtempSync(join(tmpdir(), 'bird-bench-out-'));
for (let i = 0; i < OUTPUTS; i++) {
  const file = join(files, `out${i}.bin`);
  writeFileSync(file, randomBytes(SIZE));
  run(BIRD, ['run', '--', 'cat', file], owner.env);
}
run(SYNC, ['push', '--remote', 'team'], owner.env);

function timedPull(withBlobs) {
  return (async () => {
    const mate = await store('mate@bench');
    if (!withBlobs) renameSync(join(lake, 'blobs'), join(lake, 'blobs-away'));
    const started = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [SYNC, 'pull', '--remote', 'team', '--json'], { env: mate.env, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (!withBlobs) renameSync(join(lake, 'blobs-away'), join(lake, 'blobs'));
    let summary = {};
    try { summary = JSON.parse(r.stdout); } catch { summary = { stdout: r.stdout }; }
    rmSync(dirname(mate.layout.root), { recursive: true, force: true });
    return { ms, summary };
  })();
}
const eager = [], rowsOnly = [];
for (let i = 0; i < RUNS; i++) {
  eager.push(await timedPull(true));
  rowsOnly.push(await timedPull(false));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const lines = [
  `# A pull of ${OUTPUTS} outputs of ${SIZE / 1024} KB (folder lake)`,
  '',
  `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${RUNS} runs each, medians. \`node bench/lake-blobs.mjs\`.`,
  '',
  '| pull | time | what it reported |',
  '|---|---|---|',
  `| rows and blobs (eager, as bird does) | ${median(eager.map((r) => r.ms)).toFixed(0)} ms | ${JSON.stringify(eager[0].summary)} |`,
  `| rows alone (what a lazy pull moves up front) | ${median(rowsOnly.map((r) => r.ms)).toFixed(0)} ms | ${JSON.stringify(rowsOnly[0].summary)} |`,
  '',
];
if (!process.argv.includes('--no-write')) writeFileSync(join(repo, 'bench', 'lake-blobs.md'), lines.join('\n'));
console.log(lines.join('\n'));
