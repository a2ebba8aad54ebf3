#!/usr/bin/env node
// Push and pull of 100,000 rows (30 days) to a file remote and to S3 (s3rver on 127.0.0.1),
// each a fresh `bird-sync` process, against the floor: a DuckDB COPY of the same rows into one
// zstd file. Then a no-op push and pull on the full lake. Interleaved runs; medians. Writes bench/sync.md.
//   node bench/sync.mjs [--runs N]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
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
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;
const ROWS = 100_000;
const SYNC = join(repo, INSTALL.syncBundle);

const bundle = join(repo, 'node_modules', '.cache', 'bird-bench', 'sync-support.mjs');
await build({
  stdin: {
    contents: "export { initStore } from './packages/store/src/index.ts'; export { birdLayout, saveConfig, defaultConfig } from './packages/core/src/index.ts'; export { startS3Server, S3RVER_ENV } from './packages/remote/src/testing/s3-server.ts';",
    resolveDir: repo, loader: 'ts',
  },
  bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'error', external: ['@duckdb/node-api', '@aws-sdk/client-s3'],
});
const { initStore, birdLayout, saveConfig, defaultConfig, startS3Server, S3RVER_ENV } = await import(pathToFileURL(bundle).href);

const env = { ...process.env, ...S3RVER_ENV };
delete env.NODE_EXTRA_CA_CERTS;
const scratch = mkdtempSync(join(tmpdir(), 'bird-bench-sync-'));
const server = await startS3Server();
await server.createBucket('bench');
const db = await (await DuckDBInstance.create(':memory:')).connect();

const select = (client) => `SELECT uuid()::VARCHAR AS id, 's-' || (i % 50)::VARCHAR AS session_id,
  TIMESTAMPTZ '2024-06-01 00:00:00+00' + to_microseconds((i % 30) * 86400000000 + (i * 7919) % 86400000000) AS "timestamp",
  (i % 5000)::BIGINT AS duration_ms, '/home/u/p' || (i % 40)::VARCHAR AS cwd, 'cmd' || (i % 200)::VARCHAR || ' --flag ' || i::VARCHAR AS cmd,
  'cmd' || (i % 200)::VARCHAR AS executable, (i % 3)::INTEGER AS exit_code, '${client}' AS client_id, 'host' AS hostname, 'zsh' AS shell,
  (DATE '2024-06-01' + (i % 30)::INTEGER)::DATE AS "date" FROM range(${ROWS}) t(i)`;

let n = 0;
async function root(client, remote) {
  const layout = birdLayout(join(scratch, `r${++n}`, 'bird'));
  await initStore(layout, 'parquet');
  saveConfig(layout, { ...defaultConfig('parquet'), client_id: client, remotes: [remote] });
  return layout;
}

function run(layout, args) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [SYNC, ...args, '--remote', 'team', '--json'], { env: { ...env, BIRD_ROOT: layout.root }, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`bird-sync ${args.join(' ')} failed: ${r.stderr}`);
  return { ms, summary: JSON.parse(r.stdout).remotes[0] };
}

const results = { floor: [], file: { push: [], pull: [], noopPush: [], noopPull: [], bytes: 0 }, s3: { push: [], pull: [], noopPush: [], noopPull: [], bytes: 0 } };
for (let i = 0; i < RUNS; i++) {
  for (const kind of ['file', 's3']) {
    const remote = kind === 'file'
      ? { name: 'team', type: 'file', uri: mkdtempSync(join(scratch, 'lake-')), mode: 'read_write', auto_attach: false }
      : { name: 'team', type: 's3', uri: `s3://bench/run${i}`, endpoint: server.endpoint, mode: 'read_write', auto_attach: false };
    const writer = await root('alice@a', remote);
    await db.run(`COPY (${select('alice@a')}) TO '${join(writer.localData, 'invocations')}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY ("date"), WRITE_PARTITION_COLUMNS true, OVERWRITE_OR_IGNORE)`);
    const reader = await root('bob@b', remote);
    const pushed = run(writer, ['push']);
    const pulled = run(reader, ['pull']);
    if (pushed.summary.rows < ROWS || pulled.summary.rows < ROWS) throw new Error(`moved ${pushed.summary.rows} / ${pulled.summary.rows} rows, expected ${ROWS}`);
    results[kind].push.push(pushed.ms);
    results[kind].pull.push(pulled.ms);
    results[kind].bytes = pushed.summary.bytes;
    results[kind].noopPush.push(run(writer, ['push']).ms);
    results[kind].noopPull.push(run(reader, ['pull']).ms);
    // Floor: the same rows, read from the writer's files and written as one zstd file by DuckDB.
    const t = process.hrtime.bigint();
    await db.run(`COPY (SELECT * FROM read_parquet('${join(writer.localData, 'invocations')}/*/*.parquet')) TO '${join(scratch, `floor-${i}-${kind}.parquet`)}' (FORMAT parquet, COMPRESSION zstd)`);
    results.floor.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
}
await server.stop();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const floor = median(results.floor);
const nodeStart = median(Array.from({ length: 5 }, () => { const t = process.hrtime.bigint(); spawnSync(process.execPath, ['-e', '0'], { env }); return Number(process.hrtime.bigint() - t) / 1e6; }));
const lines = [
  '# Push and pull: 100,000 rows',
  '',
  `\`node bench/sync.mjs --runs ${RUNS}\` on ${cpus().length} cores (${new Date().toISOString().slice(0, 10)}). Each cell is the median of ${RUNS} fresh \`bird-sync\` processes, file and S3 interleaved.`,
  `100,000 invocations over 30 days (rows pushed include nothing else); the S3 server is s3rver on 127.0.0.1 (a real HTTP server, so every request pays a round trip).`,
  `Floor: a DuckDB COPY of the same rows into one zstd file, in-process: ${floor.toFixed(0)} ms. \`node -e 0\`: ${nodeStart.toFixed(0)} ms.`,
  '',
  '| remote | push | push rows/s | pull | pull rows/s | bytes moved | push ÷ floor | no-op push | no-op pull |',
  '|---|---|---|---|---|---|---|---|---|',
];
for (const kind of ['file', 's3']) {
  const r = results[kind];
  const push = median(r.push);
  const pull = median(r.pull);
  lines.push(`| ${kind} | ${push.toFixed(0)} ms | ${Math.round(ROWS / (push / 1000))} | ${pull.toFixed(0)} ms | ${Math.round(ROWS / (pull / 1000))} | ${(r.bytes / 1024 / 1024).toFixed(2)} MB | ${(push / floor).toFixed(1)}x | ${median(r.noopPush).toFixed(0)} ms | ${median(r.noopPull).toFixed(0)} ms |`);
}
lines.push('', 'A no-op pull makes two requests (the format object and one listing of the heads), a push with nothing new one (the format object): test/sync.test.ts counts them on lakes of 6 and 24 segments.', '');
// Hand-written sections (`## …`) after the table are kept when the table is written again.
const out = join(repo, 'bench', 'sync.md');
let kept = '';
try {
  const old = (await import('node:fs')).readFileSync(out, 'utf8');
  const at = old.indexOf('\n## ');
  if (at >= 0) kept = old.slice(at + 1);
} catch {
  // no earlier results
}
writeFileSync(out, lines.join('\n') + (kept ? `\n${kept}` : ''));
console.log(lines.join('\n'));
