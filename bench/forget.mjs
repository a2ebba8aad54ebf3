#!/usr/bin/env node
// The search's forget key (Shift-Delete, then y) at 1,000 and 100,000 stored commands, against
// the plain search start in the same run. In a pty, as the Ctrl-R binding runs `bird search`:
//   - search start: from spawning `bird search --shell zsh` to its first frame;
//   - y → list: from writing the y to the frame that shows the list without the command;
//   - y → forgotten: from writing the y to the frame saying "forgot" (tombstones written, the
//     rows removed from the store and the history index rebuilt: what `bird forget` does).
// Each round forgets another command (about 3 runs of it). Interleaved rounds, medians and p90.
// Writes bench/forget.md.   node bench/forget.mjs [--runs N] [--no-write]
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import pty from 'node-pty';
import { birdIn, makeStore, VERBS } from './search-store.mjs';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const INSTALL = createRequire(import.meta.url)('../packages/core/src/install-layout.json');
const BIRD = join(repo, INSTALL.cliBundle);
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;
const SIZES = [1_000, 100_000];
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;

/** A frame ends by placing the cursor on the query line: ESC 8, newline (the pty adds a CR), ESC [ n C. */
const FRAME_END = /\x1b8\r?\n\r\x1b\[\d+C$/;
const now = () => Number(process.hrtime.bigint()) / 1e6;
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `bird search` in a pty, with the frames it draws: `next(test)` waits for the next whole frame
 * that passes `test` (the time it came, and its text); `exited` settles with the exit code.
 */
function searchInPty(root, args) {
  const spawned = now();
  const term = pty.spawn(process.execPath, [BIRD, 'search', '--shell', 'zsh', ...args], { cols: 160, rows: 40, env: { ...env, BIRD_ROOT: root, TERM: 'xterm-256color' } });
  let buffered = '';
  let waiting = null;
  term.onData((data) => {
    buffered += data;
    if (!FRAME_END.test(buffered)) return;
    const frame = { at: now(), text: buffered };
    buffered = '';
    if (waiting && waiting.test(frame.text)) {
      const { resolve } = waiting;
      waiting = null;
      resolve(frame);
    }
  });
  const exited = new Promise((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)));
  const next = (test, what) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no frame with ${what} within 60 s: ${JSON.stringify(buffered.slice(-300))}`)), 60_000);
      waiting = { test, resolve: (frame) => (clearTimeout(timer), resolve(frame)) };
    });
  return { spawned, term, next, exited };
}

async function searchStart(root) {
  const s = searchInPty(root, []);
  const first = await s.next(() => true, 'anything');
  s.term.write('\x1b');
  if ((await s.exited) !== 1) throw new Error('bird search did not leave on Esc');
  return first.at - s.spawned;
}

/** Forgets command `k` through the search: the times from the y to the list redrawn, and to "forgot". */
async function forgetInSearch(root, k) {
  const cmd = `${VERBS[k % 10]} ${k}`;
  // fzf's `^…$`: exactly this command, spaces escaped.
  const s = searchInPty(root, ['--', `^${cmd.replaceAll(' ', '\\ ')}$`]);
  await s.next(() => true, 'the first frame');
  await pause(100); // as a person reads the list
  s.term.write('\x1b[3;2~'); // Shift-Delete
  const asked = await s.next((t) => t.includes('? y/N'), 'the question');
  if (!asked.text.includes(`forget ${cmd} (`)) throw new Error(`asked about another command than ${cmd}: ${JSON.stringify(asked.text.slice(-200))}`);
  await pause(100);
  const y = now();
  s.term.write('y');
  const list = await s.next(() => true, 'the frame after y');
  if (!list.text.includes('(no match)') || !list.text.includes('forgetting')) throw new Error(`the frame after y still lists ${cmd}: ${JSON.stringify(list.text.slice(-300))}`);
  const done = await s.next((t) => t.includes('forgot '), '"forgot"');
  s.term.write('\x1b');
  if ((await s.exited) !== 1) throw new Error('bird search did not leave on Esc');
  return { list: list.at - y, done: done.at - y };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];

const loadAtStart = loadavg()[0];
const stores = Object.fromEntries(SIZES.map((n) => [n, makeStore(BIRD, env, n)]));
const samples = Object.fromEntries(SIZES.flatMap((n) => [[`start ${n}`, []], [`list ${n}`, []], [`done ${n}`, []]]));
for (let round = 0; round < RUNS; round++) {
  for (const n of round % 2 === 0 ? SIZES : [...SIZES].reverse()) {
    const steps = [
      async () => samples[`start ${n}`].push(await searchStart(stores[n])),
      async () => {
        const { list, done } = await forgetInSearch(stores[n], 10 + round);
        samples[`list ${n}`].push(list);
        samples[`done ${n}`].push(done);
      },
    ];
    for (const step of round % 2 === 0 ? steps : steps.reverse()) await step();
  }
}
// Every forgotten command is gone from the store, and nothing else.
for (const n of SIZES) {
  const left = JSON.parse(birdIn(BIRD, env, stores[n], ['sql', 'SELECT count(*) AS n FROM main.invocations', '--format', 'json']))[0].n;
  const forgotten = Array.from({ length: RUNS }, (_, r) => `${VERBS[(10 + r) % 10]} ${10 + r}`);
  const still = JSON.parse(birdIn(BIRD, env, stores[n], ['sql', `SELECT count(*) AS n FROM main.invocations WHERE cmd IN (${forgotten.map((c) => `'${c}'`).join(', ')})`, '--format', 'json']))[0].n;
  if (still !== 0) throw new Error(`${still} runs of the forgotten commands are still in the ${n}-row store`);
  samples[`left ${n}`] = n - left;
}

const fmt = (ms) => `${ms.toFixed(1)} ms`;
const lines = [
  '# Forgetting a command from Ctrl-R (Shift-Delete, then y)',
  '',
  `Measured by \`node bench/forget.mjs\` on ${cpus().length} shared cores, Node ${process.versions.node}, NODE_EXTRA_CA_CERTS unset, load average ${loadAtStart.toFixed(1)} at the start (others' tests share the machine: compare with the search start of the same run); ${RUNS} interleaved rounds, each forgetting another command (about 3 runs of it) from stores made as bench/search.mjs makes them.`,
  '',
  '| | rows | median | p90 | vs search start |',
  '|---|---:|---:|---:|---:|',
];
for (const n of SIZES) {
  const start = median(samples[`start ${n}`]);
  const row = (label, xs) => `| ${label} | ${n.toLocaleString('en')} | ${fmt(median(xs))} | ${fmt(p90(xs))} | ${(median(xs) / start).toFixed(2)}x |`;
  lines.push(row('`bird search`: spawn → first frame', samples[`start ${n}`]));
  lines.push(row('y → the list redrawn without the command', samples[`list ${n}`]));
  lines.push(row('y → "forgot" (tombstones, store, history index)', samples[`done ${n}`]));
}
lines.push(
  '',
  `Rows removed in all: ${SIZES.map((n) => `${samples[`left ${n}`]} of ${n.toLocaleString('en')}`).join(', ')}; every run of each forgotten command gone from main.invocations.`,
  '',
  'The list is redrawn at the y, before the store is touched; the search stays usable while the forget runs (its status line says "forgetting…", then "forgot…"), and a search left before it is done waits for it.',
  '',
);
const table = lines.join('\n');
process.stdout.write(`${table}\n`);
if (!process.argv.includes('--no-write')) writeFileSync(join(repo, 'bench', 'forget.md'), `${table}\n`);
