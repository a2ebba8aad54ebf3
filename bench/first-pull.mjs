#!/usr/bin/env node
// A newcomer's first pull of a lake of many small batches, against the list-and-fetch floor of
// the same objects. LAKE is a file lake already made, e.g. by
//   node bench/pull-scale.mjs --rows 40000 --clients 200 --new 10 --runs 1 --keep --no-write
// (it prints the folder it keeps; the lake is its `lake-*` folder). RUNS times, in alternating
// order: the floor (a fresh Node process that lists the lake's folders and reads every file),
// and a fresh `bird-sync pull` into a new, empty parquet-mode store, with this tree's bundle and,
// with `--before TREE`, that tree's (a checkout with its bundles built). Wall clock and peak RSS
// from /usr/bin/time -v; medians. Writes bench/first-pull.md unless --no-write.
//   node bench/first-pull.mjs --lake DIR [--runs 5] [--before TREE] [--no-write]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const INSTALL = createRequire(import.meta.url)('../packages/core/src/install-layout.json');
const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const LAKE = arg('lake', null);
if (!LAKE) throw new Error('give the lake folder to pull: --lake DIR (see the first lines of this file)');
const RUNS = Number(arg('runs', 5));
const BEFORE = arg('before', null);
const trees = { after: repo, ...(BEFORE ? { before: BEFORE } : {}) };

const bundle = join(repo, 'node_modules', '.cache', 'bird-bench', 'first-pull-support.mjs');
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
const scratch = mkdtempSync(join(tmpdir(), 'bird-bench-first-pull-'));

/** The floor: what any client must do to have the objects at all (list every folder, read every file). */
const floorScript = join(scratch, 'list-and-fetch.mjs');
writeFileSync(floorScript, `import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
let files = 0, bytes = 0;
async function walk(dir) {
  const entries = await readdir(dir, { withFileTypes: true });
  await Promise.all(entries.map(async (e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return walk(p);
    const size = (await readFile(p)).length; // then added: \`bytes += await …\` would add to a value read before it
    bytes += size;
    files++;
  }));
}
await walk(process.argv[2]);
console.log(JSON.stringify({ files, bytes }));`);

function timed(args, extraEnv = {}) {
  const t = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-v', ...args], { env: { ...env, ...extraEnv }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr.slice(-2000)}`);
  const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1]);
  // CPU time (user + system, every thread): what a loaded machine's wall clock multiplies.
  const cpu = ['User', 'System'].reduce((sum, kind) => sum + Number(new RegExp(`${kind} time \\(seconds\\): ([\\d.]+)`).exec(r.stderr)?.[1]) * 1000, 0);
  return { ms, mb: kb / 1024, cpu, stdout: r.stdout, warnings: r.stderr.split('\n').filter((l) => l.includes('warning')).length };
}

async function freshStore(name) {
  rmSync(join(scratch, name), { recursive: true, force: true });
  const layout = birdLayout(join(scratch, name, 'bird'));
  await initStore(layout, 'parquet');
  saveConfig(layout, { ...defaultConfig('parquet'), client_id: 'newcomer@bench', remotes: [{ name: 'team', type: 'file', uri: LAKE, mode: 'read_write', auto_attach: false }] });
  return layout;
}

const results = { floor: [], ...Object.fromEntries(Object.keys(trees).map((t) => [t, []])) };
let lake = null;
let pulled = null;
for (let run = 0; run < RUNS; run++) {
  const order = ['floor', ...Object.keys(trees)];
  if (run % 2 === 1) order.reverse();
  for (const what of order) {
    if (what === 'floor') {
      const r = timed([process.execPath, floorScript, LAKE]);
      lake = JSON.parse(r.stdout);
      results.floor.push(r);
      continue;
    }
    const layout = await freshStore(`store-${what}`);
    const r = timed([process.execPath, join(trees[what], INSTALL.syncBundle), 'pull', '--remote', 'team', '--json'], { BIRD_ROOT: layout.root });
    const summary = JSON.parse(r.stdout).remotes[0];
    if (r.warnings > 0) throw new Error(`${what}: the pull warned ${r.warnings} times`);
    if (pulled !== null && summary.rows !== pulled.rows) throw new Error(`${what}: pulled ${summary.rows} rows, another pull ${pulled.rows}`);
    pulled = summary;
    results[what].push(r);
  }
  console.error(`run ${run + 1}: ${order.map((w) => `${w} ${(results[w].at(-1).ms / 1000).toFixed(1)} s (cpu ${(results[w].at(-1).cpu / 1000).toFixed(1)} s) ${results[w].at(-1).mb.toFixed(0)} MB`).join(', ')}`);
}
rmSync(scratch, { recursive: true, force: true });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const floorMs = median(results.floor.map((r) => r.ms));
const lines = [
  `# First pull of a lake of ${lake.files.toLocaleString('en')} small files`,
  '',
  `\`node bench/first-pull.mjs --lake LAKE --runs ${RUNS}${BEFORE ? ' --before TREE' : ''}\` on ${cpus().length} cores (${new Date().toISOString().slice(0, 10)}).`,
  `The lake: ${lake.files.toLocaleString('en')} files, ${(lake.bytes / 1e6).toFixed(1)} MB; a fresh parquet-mode store pulls ${pulled.rows.toLocaleString('en')} rows in ${pulled.objects.toLocaleString('en')} batches.`,
  `Floor: a fresh Node process listing the lake's folders and reading every file, ${(floorMs / 1000).toFixed(2)} s, ${median(results.floor.map((r) => r.mb)).toFixed(0)} MB. Medians of ${RUNS} runs, interleaved.`,
  `CPU time (user + system), medians: ${['floor', ...Object.keys(trees)].map((t) => `${t} ${(median(results[t].map((r) => r.cpu)) / 1000).toFixed(1)} s`).join(', ')}. Load average at the end: ${loadavg()[0].toFixed(1)}.`,
  '',
  '| tree | first pull | peak RSS | ÷ floor |',
  '|---|---|---|---|',
];
for (const tree of Object.keys(trees)) {
  const ms = median(results[tree].map((r) => r.ms));
  lines.push(`| ${tree} | ${(ms / 1000).toFixed(1)} s | ${median(results[tree].map((r) => r.mb)).toFixed(0)} MB | ${(ms / floorMs).toFixed(1)}x |`);
}
lines.push('');
// Hand-written sections (`## …`) after the table are kept when the table is written again.
if (!process.argv.includes('--no-write')) {
  const out = join(repo, 'bench', 'first-pull.md');
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
