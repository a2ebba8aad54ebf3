#!/usr/bin/env node
// What the stored-output parts of Ctrl-R cost (issue 28's outputs read by the search):
//   - `bird search --output WORD` over 10,000 stored outputs (9,000 inline, 1,000 gzip blobs of
//     ~24 KiB), spawn to exit, against `node -e 0` and `bird sql "SELECT 1"` (DuckDB's load):
//     with its cache (db/output-search.cache) made by the search before, after one more command
//     stored (`bird run`), and without a cache; with `--before BUNDLE`, that bird's search too;
//   - Ctrl-Y in Ctrl-R over the same store: from the key to the frame listing what printed WORD
//     (DuckDB loaded, every output read), then one more key typed in output search;
//   - Ctrl-O over a store of 1,000 outputs: from the key to the frame showing the output's end.
// And, in this process, what reading the outputs splits into: gunzipping the blobs, and
// looking through all the texts once (one key in output search).
// Interleaved rounds, medians. Appends a dated section to bench/search-output.md (and prints it).
//   node bench/search-output.mjs [--runs N] [--before BUNDLE]
import { spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { gunzip, gunzipSync, gzipSync } from 'node:zlib';

const gunzipAsync = promisify(gunzip);
/** As packages/cli/src/search/output-corpus.ts folds case. */
const foldAscii = (bytes) => {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] >= 65 && bytes[i] <= 90) bytes[i] |= 0x20;
  return bytes;
};
import pty from 'node-pty';
import { birdIn, makeStore } from './search-store.mjs';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const INSTALL = createRequire(import.meta.url)('../packages/core/src/install-layout.json');
const BIRD = join(repo, INSTALL.cliBundle);
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;
const beforeArg = process.argv.indexOf('--before');
const BEFORE = beforeArg > 0 ? process.argv[beforeArg + 1] : null;
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;
const NEEDLE = 'zebra-quokka-77';

/** A build log's worth of lines; `k` makes each output different. */
const logText = (k, lines) => Array.from({ length: lines }, (_, j) => `[${k}:${j}] compiling src/module-${(k * 31 + j) % 997}.ts … ok (${(k + j) % 500} ms)`).join('\n') + '\n';

/** Adds one stdout output to each of the store's commands: every `blobEvery`th a blob, the rest inline; the 7,777th (mod n) prints NEEDLE. */
function addOutputs(root, blobEvery) {
  const ids = JSON.parse(birdIn(BIRD, env, root, ['sql', 'SELECT id FROM main.invocations ORDER BY id', '--format', 'json'])).map((r) => r.id);
  const rows = [];
  ids.forEach((id, k) => {
    const blob = k % blobEvery === 0;
    let text = logText(k, blob ? 400 : 16);
    if (k === 7777 % ids.length || k === 0) text += `note: ${NEEDLE}\n`;
    const bytes = Buffer.from(text);
    const hash = createHash('sha256').update(bytes).digest('hex');
    if (blob) {
      mkdirSync(join(root, 'db', 'blobs', hash.slice(0, 2)), { recursive: true });
      writeFileSync(join(root, 'db', 'blobs', hash.slice(0, 2), `${hash}.gz`), gzipSync(bytes));
    }
    rows.push({ id: randomUUID(), invocation_id: id, stream: 'stdout', content_hash: hash, byte_length: bytes.length, storage_type: blob ? 'blob' : 'inline', storage_ref: blob ? `${hash.slice(0, 2)}/${hash}.gz` : text });
  });
  const json = join(root, 'outputs.json');
  writeFileSync(json, rows.map((r) => JSON.stringify(r)).join('\n'));
  const dir = join(root, 'db', 'data', 'local', 'outputs', 'date=2026-01-01');
  mkdirSync(dir, { recursive: true });
  birdIn(BIRD, env, root, ['sql', `COPY (SELECT id, invocation_id, stream, content_hash, byte_length::BIGINT AS byte_length, storage_type, storage_ref FROM read_json('${json}', format = 'newline_delimited')) TO '${join(dir, 'bench.parquet')}' (FORMAT parquet)`]);
  const n = JSON.parse(birdIn(BIRD, env, root, ['sql', 'SELECT count(*) AS n FROM main.outputs', '--format', 'json']))[0].n;
  if (n !== ids.length) throw new Error(`the store holds ${n} outputs, not ${ids.length}`);
  return root;
}

function wall(args, root) {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env: { ...env, BIRD_ROOT: root }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, out: r.stdout };
}

/** One Ctrl-R in a pty: after the first whole frame, `keys` in turn, each timed to the frame for which `until` holds. */
function ctrlR(root, keys) {
  return new Promise((resolve, reject) => {
    const term = pty.spawn(process.execPath, [BIRD, 'search', '--shell', 'zsh'], { cols: 120, rows: 40, env: { ...env, BIRD_ROOT: root, TERM: 'xterm-256color', BIRD_SEARCH_HEIGHT: '30' } });
    const times = [];
    let buffered = '';
    let step = -1;
    let sentAt = 0n;
    let started = false;
    const timer = setTimeout(() => reject(new Error(`stuck at step ${step}: ${JSON.stringify(buffered.slice(-300))}`)), 60_000);
    const send = () => {
      step++;
      if (step === keys.length) return term.write('\x03');
      sentAt = process.hrtime.bigint();
      term.write(keys[step].key);
    };
    term.onData((data) => {
      buffered += data;
      if (!/\x1b8\r?\n\r\x1b\[\d+C$/.test(buffered)) return;
      const frame = buffered;
      buffered = '';
      if (step === -1) {
        if (!frame.includes('/…') && !started) {
          started = true;
          setTimeout(send, 100);
        }
        return;
      }
      if (step >= 0 && step < keys.length && times.length === step && keys[step].until(frame)) {
        times.push(Number(process.hrtime.bigint() - sentAt) / 1e6);
        setTimeout(send, 50);
      }
    });
    term.onExit(() => {
      clearTimeout(timer);
      resolve(times);
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const fmt = (ms) => `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;

const big = addOutputs(makeStore(BIRD, env, 10_000), 10);
const small = addOutputs(makeStore(BIRD, env, 1_000), 10);

// In this process: the blobs' gunzip, and one look through every text (as each key does).
const blobDir = join(big, 'db', 'blobs');
const blobFiles = readdirSync(blobDir).flatMap((d) => readdirSync(join(blobDir, d)).map((f) => join(blobDir, d, f)));

const s = { floor: [], duck: [], cli: [], added: [], cold: [], before: [], ctrlY: [], nextKey: [], ctrlO: [], gunzip: [], gunzipSync: [], fold: [], scan: [] };
const cache = join(big, 'db', 'output-search.cache');
let blobBytes = 0;
for (let round = 0; round < RUNS; round++) {
  s.floor.push(wall(['-e', '0'], big).ms);
  s.duck.push(wall([BIRD, 'sql', 'SELECT 1'], big).ms);
  if (BEFORE) s.before.push(wall([BEFORE, 'search', '--output', NEEDLE], big).ms);
  // As after a forget or a compaction: no cache that fits, so the outputs are read and it is made again.
  rmSync(cache, { force: true });
  s.cold.push(wall([BIRD, 'search', '--output', NEEDLE], big).ms);
  const found = wall([BIRD, 'search', '--output', NEEDLE], big);
  if (![1, 2].includes(found.out.trim().split('\n').length)) throw new Error(`--output found ${JSON.stringify(found.out)}`);
  s.cli.push(found.ms);
  const [y, next] = await ctrlR(big, [
    { key: '\x19', until: (f) => f.includes('[output]') && !f.includes('reading what commands printed') },
    { key: NEEDLE, until: (f) => f.includes(`> ${NEEDLE}`) && / 1\/[12] /.test(f) },
  ]);
  s.ctrlY.push(y);
  s.nextKey.push(next);
  // One new command with output (parquet mode: one new outputs file): the cache serves, with that file read besides.
  birdIn(BIRD, env, big, ['run', '--', 'sh', '-c', `echo new-output-${round}`]);
  s.added.push(wall([BIRD, 'search', '--output', NEEDLE], big).ms);
  const [o] = await ctrlR(small, [{ key: '\x0f', until: (f) => f.includes('── stdout ──') }]);
  s.ctrlO.push(o);
  // What reading the outputs costs beyond DuckDB: gunzip on the thread pool and in this thread, folding, one key.
  let started = process.hrtime.bigint();
  const unzipped = await Promise.all(blobFiles.map((f) => gunzipAsync(readFileSync(f))));
  s.gunzip.push(Number(process.hrtime.bigint() - started) / 1e6);
  started = process.hrtime.bigint();
  for (const f of blobFiles) gunzipSync(readFileSync(f));
  s.gunzipSync.push(Number(process.hrtime.bigint() - started) / 1e6);
  blobBytes = unzipped.reduce((n, t) => n + t.length, 0);
  const inline = Array.from({ length: 9_000 }, (_, k) => Buffer.from(logText(k, 16)));
  started = process.hrtime.bigint();
  const folded = [...inline, ...unzipped].map(foldAscii);
  s.fold.push(Number(process.hrtime.bigint() - started) / 1e6);
  const needle = Buffer.from(NEEDLE);
  started = process.hrtime.bigint();
  let hits = 0;
  for (const t of folded) if (t.indexOf(needle) >= 0) hits++;
  s.scan.push(Number(process.hrtime.bigint() - started) / 1e6);
  if (hits === 0) throw new Error(`${NEEDLE} not found in the outputs`);
}

const ratio = (xs) => `${(median(xs) / median(s.floor)).toFixed(1)}x`;
const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const lines = [
  `## ${new Date().toISOString().slice(0, 10)}: with the output search cache (db/output-search.cache)`,
  '',
  `Measured by \`node bench/search-output.mjs${BEFORE ? ' --before <main\'s bird.cjs>' : ''}\` on ${cpus().length} shared cores, Node ${process.versions.node}, NODE_EXTRA_CA_CERTS unset; ${RUNS} interleaved rounds, medians, the floor in the same rounds; load average at the end ${load}. The same stores as above (10,000 outputs, 1,000 of them blobs, ${(blobBytes / 1024 / 1024).toFixed(0)} MiB in all).`,
  '',
  '| | outputs | median | × floor |',
  '|---|---:|---:|---:|',
  `| \`node -e 0\` (floor) | — | ${fmt(median(s.floor))} | 1.0x |`,
  `| \`bird sql "SELECT 1"\` (DuckDB's load and open) | 10,000 | ${fmt(median(s.duck))} | ${ratio(s.duck)} |`,
  ...(BEFORE ? [`| before (main): \`bird search --output WORD\`, spawn → exit | 10,000 | ${fmt(median(s.before))} | ${ratio(s.before)} |`] : []),
  `| \`bird search --output WORD\`: spawn → exit, the cache made by the search before | 10,000 | ${fmt(median(s.cli))} | ${ratio(s.cli)} |`,
  `| the same, one command stored since the cache was made (its outputs file read besides) | 10,000 + 1 | ${fmt(median(s.added))} | ${ratio(s.added)} |`,
  `| the same, no cache (the first search after a forget or a compaction; it makes the cache) | 10,000 | ${fmt(median(s.cold))} | ${ratio(s.cold)} |`,
  `| Ctrl-Y in Ctrl-R: key → frame of commands with output | 10,000 | ${fmt(median(s.ctrlY))} | |`,
  `| then WORD typed (pasted): → frame of the commands that printed it | 10,000 | ${fmt(median(s.nextKey))} | |`,
  `| Ctrl-O in Ctrl-R: key → frame with the output's last lines | 1,000 | ${fmt(median(s.ctrlO))} | |`,
  `| in-process: gunzip every blob on the thread pool (what bird did) | 1,000 blobs | ${fmt(median(s.gunzip))} | |`,
  `| in-process: gunzipSync every blob (what bird does without a cache, 50 per turn of the event loop) | 1,000 blobs | ${fmt(median(s.gunzipSync))} | |`,
  `| in-process: fold ASCII case in the bytes | 10,000 | ${fmt(median(s.fold))} | |`,
  `| in-process: one key, Buffer.indexOf over every output | 10,000 | ${fmt(median(s.scan))} | |`,
];
const md = join(repo, 'bench', 'search-output.md');
writeFileSync(md, `${readFileSync(md, 'utf8').trimEnd()}\n\n${lines.join('\n')}\n`);
console.log(lines.join('\n'));
