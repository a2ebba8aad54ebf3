#!/usr/bin/env node
// What a terminal-UI or fuzzy-matching library would add to the start of Ctrl-R: the wall time
// of a fresh Node that only loads it, against `node -e 0` and against a fresh Node loading what
// bird search itself loads for its terminal (node:readline, node:tty). The libraries are
// installed outside the repo, so the project never depends on them:
//   mkdir -p /tmp/tuicmp && cd /tmp/tuicmp && npm init -y && npm install ink react blessed terminal-kit @inquirer/search fzf
// Interleaved runs, medians. Writes bench/search-libraries.md.
//   node bench/search-libraries.mjs [--runs N]
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 9;
const DIR = '/tmp/tuicmp';
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;

const cases = {
  '`node -e 0` (floor)': ['-e', '0'],
  'node:readline + node:tty (what bird search uses)': ['-e', "require('node:readline');require('node:tty')"],
  'ink + react (React for terminals)': ['--input-type=module', '-e', "await import('ink'); await import('react')"],
  'blessed': ['-e', "require('blessed')"],
  'terminal-kit': ['-e', "require('terminal-kit')"],
  '@inquirer/search': ['--input-type=module', '-e', "await import('@inquirer/search')"],
  'fzf (fzf-for-js)': ['--input-type=module', '-e', "await import('fzf')"],
};
const packageOf = { 'ink + react (React for terminals)': 'ink', blessed: 'blessed', 'terminal-kit': 'terminal-kit', '@inquirer/search': '@inquirer/search', 'fzf (fzf-for-js)': 'fzf' };
const present = Object.entries(cases).filter(([name]) => !packageOf[name] || existsSync(join(DIR, 'node_modules', packageOf[name])));

const time = (args) => {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: DIR, env, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
};
const samples = Object.fromEntries(present.map(([name]) => [name, []]));
for (let i = 0; i < RUNS; i++) for (const [name, args] of present) samples[name].push(time(args));
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const floor = median(samples['`node -e 0` (floor)']);
const lines = [
  '# Libraries for the Ctrl-R search: what they cost at start-up',
  '',
  `Measured by \`node bench/search-libraries.mjs\` on ${cpus().length} shared cores, Node ${process.versions.node}, NODE_EXTRA_CA_CERTS unset; ${RUNS} interleaved runs of a fresh Node that only loads the library.`,
  '',
  '| loads | median | added to `node -e 0` |',
  '|---|---:|---:|',
  ...present.map(([name]) => `| ${name} | ${median(samples[name]).toFixed(1)} ms | ${(median(samples[name]) - floor).toFixed(1)} ms |`),
  '',
  'The budget is 100 ms from the key press to the first frame at 100,000 rows (`bench/search.md`), of which Node itself takes the floor above. A library that costs a large share of it before drawing anything does not fit; bird search draws with ANSI sequences and reads keys through node:readline, and matches with its own matcher (`bench/search-match.md` compares fzf-for-js per keystroke).',
  '',
];
const table = lines.join('\n');
process.stdout.write(table);
if (!process.argv.includes('--no-write')) writeFileSync(join(repo, 'bench', 'search-libraries.md'), table);
