#!/usr/bin/env node
// `bird history -n 20` at team scale with a journal: a store of ROWS commands
// (bench/search-store.mjs) whose history index has JOURNAL rows journaled since its snapshot (a
// day's pulls, interleaved with the snapshot's last hours and past them). Each run a fresh process
// under /usr/bin/time -v (wall ms, peak RSS); `node -e 0` in the same rounds is the floor. With
// `--before DIR` (a copy of another tree's packages/cli/dist) its bundle runs too, interleaved.
// Medians. Writes bench/history-journal-window.md.
//   node bench/history-journal-window.mjs [--rows 1000000] [--journal 1000] [--runs 7] [--before DIR]
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { makeStore } from './search-store.mjs';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const INSTALL = createRequire(import.meta.url)('../packages/core/src/install-layout.json');
const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const ROWS = Number(arg('rows', 1_000_000));
const JOURNAL = Number(arg('journal', 1000));
const RUNS = Number(arg('runs', 7));
const BEFORE = arg('before', null);
const trees = [['after', join(repo, INSTALL.cliBundle)], ...(BEFORE ? [['before', join(BEFORE, 'bird.cjs')]] : [])];

const env = { ...process.env, TZ: 'UTC' };
delete env.NODE_EXTRA_CA_CERTS; // adds ~40 ms to every Node start here

function timed(args, extra = {}) {
  const t = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-v', ...args], { env: { ...env, ...extra }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return { ms, mb: Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1]) / 1024, out: r.stdout };
}

console.error(`building a store of ${ROWS} commands`);
const root = makeStore(join(repo, INSTALL.cliBundle), env, ROWS);
// search-store's rows span 2025 evenly; the journal's start an hour before its last and go on a row every 10 s.
const lastUs = (1735689600 + (ROWS - 1) * (31536000 / ROWS)) * 1e6;
let text = '';
for (let i = 0; i < JOURNAL; i++) text += `\n${JSON.stringify([randomUUID(), Math.round(lastUs - 3_600_000_000 + i * 10_000_000), 12, 0, `echo pulled ${i}`, '/home/ana', 'sj', 'box', 'team'])}`;
appendFileSync(join(root, 'db', 'history-index', 'journal.jsonl'), text);

const results = { node: [] };
for (const [tree] of trees) results[tree] = [];
let outputs = new Set();
for (let run = 0; run < RUNS; run++) {
  for (const [tree, bundle] of run % 2 === 0 ? trees : [...trees].reverse()) {
    results.node.push(timed([process.execPath, '-e', '0']));
    const r = timed([process.execPath, bundle, 'history', '-n', '20'], { BIRD_ROOT: root });
    outputs.add(r.out);
    results[tree].push(r);
    console.error(`run ${run + 1}/${RUNS} ${tree}: ${r.ms.toFixed(0)} ms, ${r.mb.toFixed(0)} MB`);
  }
}
rmSync(root, { recursive: true, force: true });
if (outputs.size !== 1) throw new Error('the trees printed different histories');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const nodeMs = median(results.node.map((r) => r.ms));
const lines = [
  '# `bird history -n 20` with a journal, at team scale',
  '',
  `\`node bench/history-journal-window.mjs --rows ${ROWS} --journal ${JOURNAL} --runs ${RUNS}${BEFORE ? ' --before DIR' : ''}\` on ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}; medians of ${RUNS} interleaved runs, NODE_EXTRA_CA_CERTS unset. One store of ${ROWS.toLocaleString('en')} commands (bench/search-store.mjs) whose index journal holds ${JOURNAL.toLocaleString('en')} rows (a teammate's, one every 10 s from an hour before the snapshot's newest row). Every run printed the same 20 rows.`,
  `Floor in the same rounds: \`node -e 0\` ${nodeMs.toFixed(0)} ms.`,
  '',
  '| tree | `bird history -n 20` | ÷ node -e 0 | peak RSS |',
  '|---|---:|---:|---:|',
];
for (const [tree] of trees) {
  const ms = median(results[tree].map((x) => x.ms));
  lines.push(`| ${tree} | ${ms.toFixed(0)} ms | ${(ms / nodeMs).toFixed(2)}x | ${median(results[tree].map((x) => x.mb)).toFixed(0)} MB |`);
}
const table = `${lines.join('\n')}\n`;
process.stdout.write(table);
if (!process.argv.includes('--no-write')) writeFileSync(join(repo, 'bench', 'history-journal-window.md'), table);
