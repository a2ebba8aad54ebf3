#!/usr/bin/env node
// Ctrl-R search and bird history at 1,000 and 100,000 stored commands (or --sizes), against
// `node -e 0` in the same run. Each store is real: rows written by DuckDB COPY into local/invocations, the history
// index rebuilt from it by bird itself. Measured:
//   - `bird history -n 20`: wall time of a fresh process, with an empty journal and with 3 rows
//     journaled since the snapshot (one of them older than the newest stored rows, as a pull gives);
//   - first frame: from spawning `bird search --shell zsh` in a pty (as the Ctrl-R binding does)
//     to its status line on screen; and to the first frame drawn from the whole index (the first
//     may be drawn from the newest rows only), after which the keys are typed;
//   - keystroke: from writing one character to the pty to the redrawn frame, typing
//     "git push origin" and then deleting it, in fuzzy mode.
// Interleaved rounds, medians and p90. Writes bench/search.md.
// --baseline PATH adds another build of bird.cjs (e.g. a copy of packages/cli/dist from before a
// change, kept beside node_modules) measured in the same rounds over the same stores.
// Each build reads its own copy of each store, its index written by that build (a build that
// does not read another's snapshot format would otherwise rebuild it in every round).
//   node bench/search.mjs [--runs N] [--baseline PATH] [--sizes 1000000,10000000] [--keys N] [--out FILE]
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { makeStore as makeSearchStore } from './search-store.mjs';
import { searchSession as session } from './search-session.mjs';

// This bench builds the history index with `bird history` and times that as a rebuild: keep it in
// the foreground at every size (large stores otherwise answer from the store and rebuild detached).
process.env.BIRD_INDEX_FOREGROUND_BYTES = String(Number.MAX_SAFE_INTEGER);

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
/** Where the build puts each bundle (packages/core/src/install-layout.ts). */
const INSTALL = createRequire(import.meta.url)('../packages/core/src/install-layout.json');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;
const BIRD = join(repo, INSTALL.cliBundle);
const baselineArg = process.argv.indexOf('--baseline');
const BASELINE = baselineArg > 0 ? process.argv[baselineArg + 1] : undefined;
/** The builds measured: this tree's, and the baseline when one is given. */
const BUILDS = [{ label: '', bird: BIRD }, ...(BASELINE ? [{ label: ' (baseline)', bird: BASELINE }] : [])];
const sizesArg = process.argv.indexOf('--sizes');
const SIZES = sizesArg > 0 ? process.argv[sizesArg + 1].split(',').map(Number) : [1_000, 100_000];
const keysArg = process.argv.indexOf('--keys');
/** Keystrokes typed per session: "git push origin" then as many deletes, cut to this many. */
const KEYS = keysArg > 0 ? Number(process.argv[keysArg + 1]) : 30;
const outArg = process.argv.indexOf('--out');
const OUT = outArg > 0 ? process.argv[outArg + 1] : join(repo, 'bench', 'search.md');
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;

const makeStore = (n) => makeSearchStore(BIRD, env, n);
const searchSession = (root, bird) => session(bird, env, root, { keys: KEYS });

function wall(args, root) {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env: { ...env, BIRD_ROOT: root }, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];

/** A copy of `root` for one build, its index written by that build; with `journal`, 3 rows journaled since. */
function storeFor(root, bird, journal) {
  const copy = `${root}-${BUILDS.findIndex((b) => b.bird === bird)}${journal ? '-journal' : ''}`;
  cpSync(root, copy, { recursive: true });
  rmSync(join(copy, 'db', 'history-index'), { recursive: true, force: true });
  wall([bird, 'history', '-n', '1'], copy);
  if (journal) {
    const path = join(copy, 'db', 'history-index', 'journal.jsonl');
    const lastUs = Date.parse('2026-01-01T00:00:00Z') * 1000;
    const line = (us, cmd) => `\n${JSON.stringify([randomUUID(), us, 12, 0, cmd, '/home/ana', 's1', 'box', 'local'])}`;
    appendFileSync(path, line(lastUs + 1e6, 'echo new') + line(lastUs + 2e6, 'git push origin journaled') + line(lastUs - 86_400e6, 'echo pulled yesterday'));
    if (!readFileSync(path, 'utf8').includes('journaled')) throw new Error('journal rows not written');
  }
  return copy;
}

const made = Object.fromEntries(SIZES.map((n) => [n, makeStore(n)]));
const stores = Object.fromEntries(SIZES.flatMap((n) => BUILDS.flatMap(({ label, bird }) => [[`${n}${label}`, storeFor(made[n], bird, false)], [`${n}${label} journal`, storeFor(made[n], bird, true)]])));
const samples = { floor: [], ...Object.fromEntries(BUILDS.flatMap(({ label }) => SIZES.flatMap((n) => [[`history ${n}${label}`, []], [`history+journal ${n}${label}`, []], [`frame ${n}${label}`, []], [`whole ${n}${label}`, []], [`key ${n}${label}`, []]]))) };
for (let round = 0; round < RUNS; round++) {
  for (const n of SIZES) {
    // Alternate which build goes first, so that neither always runs on a warmer machine.
    for (const { label, bird } of round % 2 === 0 ? BUILDS : [...BUILDS].reverse()) {
      samples.floor.push(wall(['-e', '0'], stores[`${n}${label}`]));
      samples[`history ${n}${label}`].push(wall([bird, 'history', '-n', '20'], stores[`${n}${label}`]));
      samples[`history+journal ${n}${label}`].push(wall([bird, 'history', '-n', '20'], stores[`${n}${label} journal`]));
      const { firstFrame, whole, latencies } = await searchSession(stores[`${n}${label}`], bird);
      samples[`frame ${n}${label}`].push(firstFrame);
      samples[`whole ${n}${label}`].push(whole);
      samples[`key ${n}${label}`].push(...latencies);
    }
  }
}
for (const root of [...Object.values(made), ...Object.values(stores)]) rmSync(root, { recursive: true, force: true });

const floor = median(samples.floor);
const fmt = (ms) => `${ms.toFixed(1)} ms`;
const lines = [
  '# Ctrl-R search and `bird history`',
  '',
  `Measured by \`node bench/search.mjs\` on ${cpus().length} shared cores, Node ${process.versions.node}, NODE_EXTRA_CA_CERTS unset; ${RUNS} interleaved rounds. Stores are real (DuckDB COPY into local/invocations, about a third of the commands distinct; the history index built from them by bird).`,
  '',
  '| | rows | median | p90 | vs `node -e 0` |',
  '|---|---:|---:|---:|---:|',
  `| \`node -e 0\` (floor) | — | ${fmt(floor)} | ${fmt(p90(samples.floor))} | 1.00x |`,
];
for (const n of SIZES) {
  for (const { label } of BUILDS) {
    const h = samples[`history ${n}${label}`];
    const j = samples[`history+journal ${n}${label}`];
    const f = samples[`frame ${n}${label}`];
    const w = samples[`whole ${n}${label}`];
    const k = samples[`key ${n}${label}`];
    lines.push(`| \`bird history -n 20\`${label} | ${n.toLocaleString('en')} | ${fmt(median(h))} | ${fmt(p90(h))} | ${(median(h) / floor).toFixed(2)}x |`);
    lines.push(`| \`bird history -n 20\`, 3 journal rows${label} | ${n.toLocaleString('en')} | ${fmt(median(j))} | ${fmt(p90(j))} | ${(median(j) / floor).toFixed(2)}x |`);
    lines.push(`| \`bird search\`: spawn → first frame${label} | ${n.toLocaleString('en')} | ${fmt(median(f))} | ${fmt(p90(f))} | ${(median(f) / floor).toFixed(2)}x |`);
    lines.push(`| \`bird search\`: spawn → first frame of the whole index${label} | ${n.toLocaleString('en')} | ${fmt(median(w))} | ${fmt(p90(w))} | ${(median(w) / floor).toFixed(2)}x |`);
    lines.push(`| \`bird search\`: keystroke → frame (${k.length} keys)${label} | ${n.toLocaleString('en')} | ${fmt(median(k))} | ${fmt(p90(k))} | |`);
  }
}
if (BASELINE) lines.push('', `Baseline: \`${BASELINE.replace(repo + '/', '')}\`, measured in the same rounds over the same stores.`);
lines.push('', 'Bars (issue 11): first frame ≤ 100 ms and a keystroke ≤ 10 ms at 100,000 rows; `bird history` ≤ 100 ms.');
lines.push('Bars (issue 27): at 1M rows first frame ≤ 100 ms and `bird history -n 20` ≤ 2.5x `node -e 0`; at 10M, ≤ 200 ms and ≤ 3x.', '');
const table = lines.join('\n');
process.stdout.write(`${table}\n`);
if (!process.argv.includes('--no-write')) writeFileSync(OUT, `${table}\n`);
