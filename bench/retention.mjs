#!/usr/bin/env node
// Forgetting at a team's scale: a parquet store of N rows (default 1,000,000; `--rows 10000000`),
// one compacted file per table and day, a thousand rows a day up to yesterday, as years of
// compactions leave it. Measures, each in a fresh process with NODE_EXTRA_CA_CERTS unset:
//   1. `bird forget --before <the middle day>` over a copy of the store (one run per copy);
//   2. `bird compact` with `[retention] max_age_days` set and nothing due, against `bird compact`
//      without it, on two copies of the store, interleaved (medians);
//   3. bird-capture's start with a range tombstone in the store, with none, with 100,000 id
//      tombstones (what a forget of that many commands one line each would leave), and the floor
//      `node -e 0`, interleaved in a rotating order (medians).
// Prints Markdown tables; bench/retention.md holds a run's.
//   node bench/retention.mjs [--rows N] [--runs N] [--forget-runs N] [--capture-runs N]
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';

// This bench builds the history index with `bird history` and times that as a rebuild: keep it in
// the foreground at every size (large stores otherwise answer from the store and rebuild detached).
process.env.BIRD_INDEX_FOREGROUND_BYTES = String(Number.MAX_SAFE_INTEGER);

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const INSTALL = createRequire(import.meta.url)('../packages/core/src/install-layout.json');
const BIRD = join(repo, INSTALL.cliBundle);
const CAPTURE = join(repo, INSTALL.captureBundle);
const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '9' }, 'forget-runs': { type: 'string', default: '3' }, 'capture-runs': { type: 'string', default: '41' } } });
const ROWS = Number(values.rows);
const RUNS = Number(values.runs);
const FORGET_RUNS = Number(values['forget-runs']);
const CAPTURE_RUNS = Number(values['capture-runs']);
const PER_DAY = 1000;
const DAYS = Math.ceil(ROWS / PER_DAY);

const env = { ...process.env, BIRD_CLIENT_ID: 'bench@host', TZ: 'UTC' };
delete env.NODE_EXTRA_CA_CERTS;
delete env.NODE_OPTIONS;
for (const k of Object.keys(env)) if (k.startsWith('BIRD_') && k !== 'BIRD_CLIENT_ID') delete env[k];

execFileSync(process.execPath, [join(repo, 'scripts', 'build.mjs'), 'cli', 'capture', 'sync-worker'], { cwd: repo, stdio: 'inherit' });
const scratch = mkdtempSync(join(tmpdir(), 'bird-bench-forget-'));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const quartiles = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return [s[Math.floor((s.length - 1) / 4)], s[Math.ceil((3 * (s.length - 1)) / 4)]];
};

function timed(args, root, extra = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env: { ...env, ...(root ? { BIRD_ROOT: root } : {}), ...extra }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { ms, stdout: r.stdout };
}
const bird = (root, ...args) => timed([BIRD, ...args], root);

// --- the store ---------------------------------------------------------------------------
const base = join(scratch, 'base');
bird(base, 'init', '--mode', 'parquet');
const DAY_MS = 86_400_000;
const firstDay = new Date((Math.floor(Date.now() / DAY_MS) - DAYS) * DAY_MS).toISOString().slice(0, 10);
const built = Date.now();
{
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const staging = join(scratch, 'staging');
  mkdirSync(staging, { recursive: true });
  const invocations = `SELECT uuid()::VARCHAR AS id, 's-' || (i // ${PER_DAY})::VARCHAR AS session_id,
      TIMESTAMPTZ '${firstDay} 00:00:00+00' + to_microseconds((i // ${PER_DAY}) * 86400000000 + (i % ${PER_DAY}) * 86000000) AS "timestamp",
      (i % 5000)::BIGINT AS duration_ms, '/home/u/p' || (i % 40)::VARCHAR AS cwd, 'cmd' || (i % 200)::VARCHAR || ' --flag ' || i::VARCHAR AS cmd,
      'cmd' || (i % 200)::VARCHAR AS executable, (i % 3)::INTEGER AS exit_code, 'bench@host' AS client_id, 'host' AS hostname, 'zsh' AS shell,
      (DATE '${firstDay}' + (i // ${PER_DAY})::INTEGER)::DATE AS "date" FROM range(${ROWS}) t(i) ORDER BY "timestamp"`;
  const sessions = `SELECT 's-' || d::VARCHAR AS session_id, 'bench@host' AS client_id, 'zsh' AS invoker, 4242 AS invoker_pid,
      TIMESTAMPTZ '${firstDay} 00:00:00+00' + to_microseconds(d * 86400000000) AS registered_at, '/home/u' AS cwd,
      (DATE '${firstDay}' + d::INTEGER)::DATE AS "date" FROM range(${DAYS}) t(d)`;
  for (const [table, select] of [['invocations', invocations], ['sessions', sessions]]) {
    const out = join(staging, table);
    await c.run(`COPY (${select}) TO '${out}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY ("date"), WRITE_PARTITION_COLUMNS true, FILENAME_PATTERN 'c-bench{i}')`);
    for (const part of readdirSync(out)) renameSync(join(out, part), join(base, 'db', 'data', 'local', table, part));
  }
  c.closeSync();
  db.closeSync();
  rmSync(staging, { recursive: true, force: true });
}
bird(base, 'history', '-n', '1'); // the history index, built once, as a reader would
const storeMb = (root) => {
  let n = 0;
  const walk = (d) => readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(join(d, e.name)) : (n += statSync(join(d, e.name)).size)));
  walk(join(root, 'db', 'data'));
  return (n / 1024 / 1024).toFixed(1);
};
const count = (root) => Number(bird(root, 'sql', '--format', 'csv', 'SELECT count(*) FROM main.invocations').stdout.trim().split('\n')[1]);
console.log(`store: ${ROWS} rows over ${DAYS} days from ${firstDay}, ${DAYS * 2} files, ${storeMb(base)} MB, made in ${((Date.now() - built) / 1000).toFixed(1)} s`);

// --- 1. bird forget --before ---------------------------------------------------------------
const middle = new Date(Date.parse(`${firstDay}T00:00:00Z`) + Math.floor(DAYS / 2) * DAY_MS).toISOString().slice(0, 10);
const forgetMs = [];
let forgot = '';
for (let i = 0; i < FORGET_RUNS; i++) {
  const root = join(scratch, `forget${i}`);
  cpSync(base, root, { recursive: true });
  const r = bird(root, 'forget', '--before', middle);
  forgetMs.push(r.ms);
  forgot = r.stdout.trim();
  const left = count(root);
  if (left !== ROWS - Math.floor(DAYS / 2) * PER_DAY) throw new Error(`forget left ${left} rows`);
  if (i > 0) rmSync(root, { recursive: true, force: true });
}
const tombstoneBytes = readdirSync(join(scratch, 'forget0', 'db', 'tombstones')).reduce((n, f) => n + statSync(join(scratch, 'forget0', 'db', 'tombstones', f)).size, 0);

// --- 2. compaction with retention, nothing due, against none ---------------------------------
const plain = join(scratch, 'compact-plain');
const kept = join(scratch, 'compact-retention');
cpSync(base, plain, { recursive: true });
cpSync(base, kept, { recursive: true });
appendFileSync(join(kept, 'config.toml'), `\n[retention]\nmax_age_days = ${DAYS + 30}\n`);
bird(plain, 'compact');
const firstDue = bird(kept, 'compact').ms; // writes the range forget (nothing older to remove)
const compactMs = { plain: [], retention: [] };
for (let i = 0; i < RUNS; i++) {
  for (const [name, root] of i % 2 ? [['plain', plain], ['retention', kept]] : [['retention', kept], ['plain', plain]]) compactMs[name].push(bird(root, 'compact').ms);
}
const tombstonesAfter = readdirSync(join(kept, 'db', 'tombstones')).filter((n) => n.endsWith('.jsonl')).length;

// --- 3. capture start ------------------------------------------------------------------------
const roots = {
  none: join(scratch, 'capture-none'),
  range: join(scratch, 'capture-range'),
  ids: join(scratch, 'capture-ids'),
};
for (const root of Object.values(roots)) bird(root, 'init', '--mode', 'parquet');
mkdirSync(join(roots.range, 'db', 'tombstones'), { recursive: true });
writeFileSync(join(roots.range, 'db', 'tombstones', '01a00000-0000-7000-8000-000000000000.jsonl'), `${JSON.stringify({ series: 'bench@host', before: `${middle}T00:00:00.000Z`, at: new Date().toISOString(), by: 'bench@host', why: 'forget' })}\n`);
mkdirSync(join(roots.ids, 'db', 'tombstones'), { recursive: true });
{
  const lines = [];
  for (let i = 0; i < 100_000; i++) lines.push(JSON.stringify({ id: `01a00000-0000-7000-8000-${String(i).padStart(12, '0')}`, series: 'bench@host', at: '2026-01-01T00:00:00.000Z', by: 'bench@host', why: 'forget', cmdHash: 'a'.repeat(64), startUs: String(1_700_000_000_000_000 + i) }));
  writeFileSync(join(roots.ids, 'db', 'tombstones', '01a00000-0000-7000-8000-000000000000.jsonl'), `${lines.join('\n')}\n`);
}
let seq = 0;
const captureArgs = () => {
  seq++;
  const start = BigInt(Date.now()) * 1000n + BigInt(seq);
  return [CAPTURE, '--cmd', `make test # run ${seq}`, '--exit', '0', '--start-us', String(start), '--end-us', String(start + 250_000n), '--cwd', '/home/bench', '--session', 'bench-session', '--shell', 'zsh'];
};
const variants = [
  { name: '`node -e 0` (floor)', args: () => ['-e', '0'], root: null, ms: [] },
  { name: 'bird-capture, no tombstone', args: captureArgs, root: roots.none, ms: [] },
  { name: 'bird-capture, a range tombstone (one line)', args: captureArgs, root: roots.range, ms: [] },
  { name: 'bird-capture, 100,000 id tombstones (one line each)', args: captureArgs, root: roots.ids, ms: [] },
];
for (const v of variants) for (let i = 0; i < 3; i++) timed(v.args(), v.root);
for (let round = 0; round < CAPTURE_RUNS; round++) {
  for (let k = 0; k < variants.length; k++) {
    const v = variants[(round + k) % variants.length];
    v.ms.push(timed(v.args(), v.root).ms);
  }
}
for (const name of ['range', 'ids']) if (count(roots[name]) !== CAPTURE_RUNS + 3) throw new Error(`capture with ${name} tombstones did not store every command`);

// --- report ----------------------------------------------------------------------------------
const f = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
console.log(`\nNode ${process.version}, ${ROWS} rows; NODE_EXTRA_CA_CERTS unset.\n`);
console.log('| what | runs | median | min–max |\n|---|---:|---:|---:|');
console.log(`| \`bird forget --before ${middle}\` (${forgot.match(/forgot (\d+)/)?.[1]} commands) | ${FORGET_RUNS} | ${f(median(forgetMs))} | ${f(Math.min(...forgetMs))}–${f(Math.max(...forgetMs))} |`);
console.log(`\ntombstones it left: ${tombstoneBytes} bytes.\n`);
console.log('| `bird compact` | runs | median | p25–p75 |\n|---|---:|---:|---:|');
for (const [name, label] of [['plain', 'no [retention]'], ['retention', `[retention] max_age_days = ${DAYS + 30}, nothing due`]]) {
  const [lo, hi] = quartiles(compactMs[name]);
  console.log(`| ${label} | ${RUNS} | ${f(median(compactMs[name]))} | ${f(lo)}–${f(hi)} |`);
}
console.log(`\nthe first compaction with it set (writes the range forget): ${f(firstDue)}; tombstone files after ${RUNS + 1} compactions: ${tombstonesAfter}.\n`);
const floor = median(variants[0].ms);
console.log('| start | runs | median | p25–p75 | × floor |\n|---|---:|---:|---:|---:|');
for (const v of variants) {
  const [lo, hi] = quartiles(v.ms);
  console.log(`| ${v.name} | ${v.ms.length} | ${f(median(v.ms))} | ${f(lo)}–${f(hi)} | ${(median(v.ms) / floor).toFixed(2)}x |`);
}
rmSync(scratch, { recursive: true, force: true });
