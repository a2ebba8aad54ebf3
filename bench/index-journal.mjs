#!/usr/bin/env node
// The history index with a journal, at team scale: what a read costs when the journal holds a
// few rows (every `bird history` and Ctrl-R between two compactions), what compaction costs
// when the journal has grown past its fold (about 2,000 commands, as a day's pulls bring), and
// what the first read costs when there is no index (after an upgrade, or a deleted one). A
// store of ROWS commands (bench/search-store.mjs), copied for each run; each run a fresh process
// under /usr/bin/time -v (wall ms, peak RSS). With `--before TREE` (a checkout with its bundles
// built) the same runs go through that tree's bundles too, interleaved. Floor in the same run:
// `node -e 0`. Medians. Writes bench/index-journal.md.
//   node bench/index-journal.mjs [--rows 1000000] [--journal 3000] [--runs 5] [--before TREE]
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { makeStore } from './search-store.mjs';

// This bench builds the history index with `bird history` and times that as a rebuild: keep it in
// the foreground at every size (large stores otherwise answer from the store and rebuild detached).
process.env.BIRD_INDEX_FOREGROUND_BYTES = String(Number.MAX_SAFE_INTEGER);

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const INSTALL = createRequire(import.meta.url)('../packages/core/src/install-layout.json');
const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const ROWS = Number(arg('rows', 1_000_000));
const JOURNAL = Number(arg('journal', 3000));
const RUNS = Number(arg('runs', 5));
const BEFORE = arg('before', null);
const trees = BEFORE ? [['after', repo], ['before', BEFORE]] : [['after', repo]];

const env = { ...process.env, TZ: 'UTC' };
delete env.NODE_EXTRA_CA_CERTS; // adds ~40 ms to every Node start here

/** Runs a command under /usr/bin/time -v: wall ms (measured here) and peak RSS in MB. */
function timed(args, extra = {}) {
  const t = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-v', ...args], { env: { ...env, ...extra }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return { ms, mb: Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1]) / 1024 };
}

/** Journal lines of `n` new commands, as capture and pull write them (packages/history-index/src/journal.ts). */
function journalLines(n, fromUs) {
  let text = '';
  for (let i = 0; i < n; i++) text += `\n${JSON.stringify([randomUUID(), fromUs + i * 1_000_000, 12, 0, `echo journaled ${i}`, '/home/ana', 'sj', 'box', 'local'])}`;
  return text;
}

console.error(`building a store of ${ROWS} commands`);
const base = makeStore(join(repo, INSTALL.cliBundle), env, ROWS);
const journal = join(base, 'db', 'history-index', 'journal.jsonl');
const copy = (lines) => {
  const root = `${base}-copy`;
  rmSync(root, { recursive: true, force: true });
  cpSync(base, root, { recursive: true });
  if (lines === null) rmSync(join(root, 'db', 'history-index'), { recursive: true });
  else appendFileSync(join(root, 'db', 'history-index', 'journal.jsonl'), journalLines(lines, 1_800_000_000_000_000));
  return root;
};
if (!readdirSync(dirname(journal)).includes('snapshot.bhi')) throw new Error('the store has no history index snapshot');

const results = { node: [] };
for (const [tree] of trees) results[tree] = { read: [], compact: [], cold: [] };
for (let run = 0; run < RUNS; run++) {
  for (const [tree, dir] of run % 2 === 0 ? trees : [...trees].reverse()) {
    results.node.push(timed([process.execPath, '-e', '0']));
    let root = copy(3);
    results[tree].read.push(timed([process.execPath, join(dir, INSTALL.cliBundle), 'history', '-n', '20'], { BIRD_ROOT: root }));
    root = copy(JOURNAL);
    results[tree].compact.push(timed([process.execPath, join(dir, INSTALL.cliBundle), 'compact'], { BIRD_ROOT: root }));
    root = copy(null);
    results[tree].cold.push(timed([process.execPath, join(dir, INSTALL.cliBundle), 'history', '-n', '20'], { BIRD_ROOT: root }));
    console.error(`run ${run + 1}/${RUNS} ${tree}: read ${results[tree].read.at(-1).ms.toFixed(0)} ms, compact ${results[tree].compact.at(-1).ms.toFixed(0)} ms, cold ${results[tree].cold.at(-1).ms.toFixed(0)} ms`);
  }
}
rmSync(`${base}-copy`, { recursive: true, force: true });
rmSync(base, { recursive: true, force: true });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const nodeMs = median(results.node.map((r) => r.ms));
const lines = [
  '# The history index with a journal, at team scale',
  '',
  `\`node bench/index-journal.mjs --rows ${ROWS} --journal ${JOURNAL} --runs ${RUNS}${BEFORE ? ' --before TREE' : ''}\` on ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}; medians of ${RUNS} interleaved runs, each a fresh process on a fresh copy of one store of ${ROWS.toLocaleString('en')} commands (about a third distinct).`,
  `Floor in the same runs: \`node -e 0\` ${nodeMs.toFixed(0)} ms.`,
  '',
  `| tree | \`bird history -n 20\`, 3 journal rows | peak RSS | ÷ node -e 0 | \`bird compact\`, ${JOURNAL.toLocaleString('en')} journal rows (past the fold) | peak RSS | \`bird history -n 20\`, no index (rebuilt) | peak RSS |`,
  '|---|---:|---:|---:|---:|---:|---:|---:|',
];
for (const [tree] of trees) {
  const r = results[tree];
  const readMs = median(r.read.map((x) => x.ms));
  lines.push(`| ${tree} | ${readMs.toFixed(0)} ms | ${median(r.read.map((x) => x.mb)).toFixed(0)} MB | ${(readMs / nodeMs).toFixed(1)}x | ${(median(r.compact.map((x) => x.ms)) / 1000).toFixed(1)} s | ${median(r.compact.map((x) => x.mb)).toFixed(0)} MB | ${(median(r.cold.map((x) => x.ms)) / 1000).toFixed(1)} s | ${median(r.cold.map((x) => x.mb)).toFixed(0)} MB |`);
}
const table = `${lines.join('\n')}\n`;
process.stdout.write(table);
if (!process.argv.includes('--no-write')) writeFileSync(join(repo, 'bench', 'index-journal.md'), table);
