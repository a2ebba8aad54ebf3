#!/usr/bin/env node
// What configured remotes cost a `bird sql` that does not read them, and one that does: the
// same queries with no remote, with a 1,000-client file lake and with the same lake on the
// S3-compatible server the tests use, each remote auto-attach. Two builds of bird, interleaved
// run by run: `--before DIR` (a worktree of main, built) and this one. Medians of --runs (7).
// Writes bench/attach.md.
//   node bench/attach.mjs --before /path/to/main-worktree [--runs N] [--clients N] [--no-write]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { DuckDBInstance } from '@duckdb/node-api';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const RUNS = Number(arg('--runs', 7));
const CLIENTS = Number(arg('--clients', 1000));
const DAYS = 3;
const before = arg('--before');
if (!before) {
  console.error('attach.mjs: --before DIR is required: a worktree of main with its bundles built (npm ci there).');
  process.exit(2);
}
const BUILDS = { before: join(before, 'bin', 'bird'), after: join(repo, 'bin', 'bird') };

// The test S3 server is TypeScript; bundle it for this plain-Node script.
const bundle = join(repo, 'node_modules', '.cache', 'bird-bench', 's3-server.mjs');
await build({
  stdin: { contents: "export { startS3Server, S3RVER_ENV } from './packages/remote/src/testing/s3-server.ts';", resolveDir: repo, loader: 'ts' },
  bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'error',
  external: ['@aws-sdk/*', 's3rver'],
});
const { startS3Server, S3RVER_ENV } = await import(pathToFileURL(bundle).href);

const scratch = mkdtempSync(join(tmpdir(), 'bird-bench-attach-'));
const lake = join(scratch, 'lake');
mkdirSync(lake);

// The lake: CLIENTS series x DAYS days, one batch of 2 invocations each, in LAKE.md's layout
// (`invocations/client=<id>/date=<d>/<batch>.parquet`), written by one partitioned COPY.
const gen = await (await DuckDBInstance.create(':memory:')).connect();
let started = performance.now();
await gen.run(`COPY (SELECT
    uuid()::VARCHAR AS id, 's-' || (i % 500)::VARCHAR AS session_id,
    TIMESTAMPTZ '2024-06-01 00:00:00+00' + to_microseconds((i % ${DAYS}) * 86400000000 + i * 1000) AS "timestamp",
    (i % 5000)::BIGINT AS duration_ms, '/home/u/p' AS cwd, 'make test' AS cmd, 'make' AS executable,
    0 AS exit_code, 'u' || lpad(((i // ${DAYS * 2}) % ${CLIENTS})::VARCHAR, 4, '0') || '@host' AS client_id, 'host' AS hostname, 'zsh' AS shell,
    client_id AS client, (DATE '2024-06-01' + (i % ${DAYS})::INTEGER)::DATE AS "date"
  FROM range(${CLIENTS * DAYS * 2}) t(i)) TO '${join(lake, 'invocations')}' (FORMAT parquet, PARTITION_BY (client, "date"))`);
const batches = [];
const walk = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) (e.isDirectory() ? walk : (p) => batches.push(p))(join(dir, e.name));
};
walk(lake);
console.error(`lake: ${batches.length} batches written in ${((performance.now() - started) / 1000).toFixed(1)} s`);

const s3 = await startS3Server();
const env = { ...process.env, ...S3RVER_ENV };
delete env.NODE_EXTRA_CA_CERTS;
try {
  await s3.createBucket('team');
  started = performance.now();
  const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: S3RVER_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: S3RVER_ENV.AWS_SECRET_ACCESS_KEY } });
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < batches.length) {
      const file = batches[next++];
      await client.send(new PutObjectCommand({ Bucket: 'team', Key: `lake/${relative(lake, file)}`, Body: readFileSync(file) }));
    }
  }));
  client.destroy();
  console.error(`S3: ${batches.length} objects put in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const bird = (build, root, args) => {
    const t = performance.now();
    const r = spawnSync(process.execPath, [BUILDS[build], ...args], { env: { ...env, BIRD_ROOT: root, BIRD_CLIENT_ID: 'me@bench' }, encoding: 'utf8' });
    const ms = performance.now() - t;
    if (r.status !== 0) throw new Error(`${build} bird ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
    return { ms, stderr: r.stderr };
  };
  const REMOTES = {
    none: [],
    file: [['remote', 'add', 'team', '--type', 'file', '--uri', lake, '--read-only']],
    s3: [['remote', 'add', 'team', '--type', 's3', '--uri', 's3://team/lake', '--endpoint', s3.endpoint, '--read-only']],
  };
  const roots = {};
  for (const build of Object.keys(BUILDS)) {
    for (const [config, adds] of Object.entries(REMOTES)) {
      const root = join(scratch, `${build}-${config}`);
      mkdirSync(root);
      bird('after', root, ['init']);
      for (const add of adds) bird('after', root, add);
      roots[`${build}/${config}`] = root;
    }
  }
  const CASES = [
    ['SELECT 1, no remote', 'none', 'SELECT 1'],
    ['SELECT 1, file remote', 'file', 'SELECT 1'],
    ['SELECT 1, S3 remote', 's3', 'SELECT 1'],
    ['count of remote_team, file', 'file', 'SELECT count(*) FROM remote_team.invocations'],
    // Before each run of this row, the mirror's listing is made older than a minute (after: it lists; before: it always does).
    ['count of remote_team, S3, listing expired', 's3', 'SELECT count(*) FROM remote_team.invocations', 'expire'],
    // Right after the row above: after lists nothing (its listing is seconds old).
    ['count of remote_team, S3, listed < 60 s ago', 's3', 'SELECT count(*) FROM remote_team.invocations'],
  ];
  /** Sets the mirror's listing time an hour back, where there is one (main's marker has none). */
  const expireListing = (root) => {
    const marker = join(root, 'db', 'mirror', 'team', '_bird_mirror.json');
    try {
      const parsed = JSON.parse(readFileSync(marker, 'utf8'));
      if (typeof parsed.listedAt === 'number') writeFileSync(marker, JSON.stringify({ ...parsed, listedAt: parsed.listedAt - 3_600_000 }));
    } catch {
      // no mirror yet: the query lists anyway
    }
  };
  // Warm-up, untimed: fills each S3 mirror (the first query downloads every batch) and the page cache.
  for (const build of Object.keys(BUILDS)) for (const [, config, query] of CASES) bird(build, roots[`${build}/${config}`], ['sql', query]);
  const times = {};
  for (let run = 0; run < RUNS; run++) {
    for (const [label, config, query, expire] of CASES) {
      for (const build of run % 2 === 0 ? ['before', 'after'] : ['after', 'before']) {
        if (expire) expireListing(roots[`${build}/${config}`]);
        (times[`${build}/${label}`] ??= []).push(bird(build, roots[`${build}/${config}`], ['sql', query]).ms);
      }
    }
    console.error(`run ${run + 1}/${RUNS} done`);
  }
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
  const m = (build, label) => median(times[`${build}/${label}`]);
  const sec = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const lines = [
    '# Attach: what configured remotes cost `bird sql`',
    '',
    `\`node bench/attach.mjs --before <main worktree>\`: ${CLIENTS.toLocaleString('en')} clients x ${DAYS} days, one batch of 2 invocations each (${batches.length.toLocaleString('en')} batches), as a file lake and on the tests' S3-compatible server (s3rver on 127.0.0.1), each an auto-attach remote. Each row runs the built \`bird sql\` as a fresh process; before (main) and after interleaved, medians of ${RUNS} runs after an untimed warm-up that fills the S3 mirror (so no row downloads). ${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${process.version}.`,
    '',
    '| query | before | after | after / before | after / (SELECT 1, no remote) | the same, fastest runs |',
    '|---|---|---|---|---|---|',
  ];
  // The machine is shared: the fastest run of each row is the least disturbed, a second view of the same ratio.
  const fastest = (build, label) => Math.min(...times[`${build}/${label}`]);
  const base = m('after', CASES[0][0]);
  const baseFastest = fastest('after', CASES[0][0]);
  for (const [label] of CASES) {
    const b = m('before', label);
    const a = m('after', label);
    lines.push(`| ${label} | ${sec(b)} | ${sec(a)} | ${(a / b).toFixed(2)}x | ${(a / base).toFixed(2)}x | ${(fastest('after', label) / baseFastest).toFixed(2)}x |`);
  }
  lines.push('');
  if (!process.argv.includes('--no-write')) writeFileSync(join(repo, 'bench', 'attach.md'), `${lines.join('\n')}\n`);
  console.log(lines.join('\n'));
} finally {
  await s3.stop();
  rmSync(scratch, { recursive: true, force: true });
}
