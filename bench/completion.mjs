#!/usr/bin/env node
// What one Tab costs: `bird __complete` (what hooks/completions/bird.* run) from a fresh process,
// for a command name, a flag's values and a remote name (read from config.toml), against
// `node -e 0` and `bird --version` in the same run. Interleaved rounds in a rotating order,
// medians and p90. NODE_EXTRA_CA_CERTS unset. Writes bench/completion.md.
//   node bench/completion.mjs [--runs N]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
/** Where the build puts each bundle (packages/core/src/install-layout.ts). */
const INSTALL = createRequire(import.meta.url)('../packages/core/src/install-layout.json');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 41;
const BIRD = join(repo, INSTALL.cliBundle);
const root = mkdtempSync(join(tmpdir(), 'bird-bench-complete-'));
const env = { ...process.env, BIRD_ROOT: root };
delete env.NODE_EXTRA_CA_CERTS;
delete env.NODE_OPTIONS;

const lake = join(root, 'lake');
mkdirSync(lake);
const added = spawnSync(process.execPath, [BIRD, 'remote', 'add', 'team', '--type', 'file', '--uri', lake], { env, encoding: 'utf8' });
if (added.status !== 0) throw new Error(`bird remote add failed: ${added.stderr}`);

const variants = [
  ['`node -e 0` (floor)', ['-e', '0'], null],
  ['`bird --version`', [BIRD, '--version'], 'bird '],
  ['`bird hi<Tab>`: a command', [BIRD, '__complete', '1', 'bird', 'hi'], 'history\t'],
  ['`bird history --format <Tab>`: a flag\'s values', [BIRD, '__complete', '3', 'bird', 'history', '--format', ''], 'table\ncsv\njson\n'],
  ['`bird remote remove <Tab>`: remote names from config.toml', [BIRD, '__complete', '3', 'bird', 'remote', 'remove', ''], 'team\n'],
];
const times = variants.map(() => []);
for (let round = 0; round < RUNS + 2; round++) {
  for (let k = 0; k < variants.length; k++) {
    const i = (k + round) % variants.length;
    const [, args, expected] = variants[i];
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (r.status !== 0 || (expected !== null && !r.stdout.startsWith(expected))) throw new Error(`${args.join(' ')}: ${r.stdout}${r.stderr}`);
    if (round >= 2) times[i].push(ms);
  }
}
const pct = (a, p) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(a.length * p))];
const floor = pct(times[0], 0.5);
const rows = variants.map(([name], i) => `| ${name} | ${pct(times[i], 0.5).toFixed(1)} ms | ${pct(times[i], 0.9).toFixed(1)} ms | ${(pct(times[i], 0.5) / floor).toFixed(2)}x |`);
const table = [
  `Node ${process.version}, ${RUNS} interleaved runs per row, fresh process each; NODE_EXTRA_CA_CERTS unset.`,
  '',
  '| what | median | p90 | × floor |',
  '|---|---:|---:|---:|',
  ...rows,
].join('\n');
console.log(table);
