#!/usr/bin/env node
// bird import of 100,000 history entries per format (zsh extended history, bash with #<epoch>,
// fish, atuin's history.db), each a fresh `bird import` process into an empty store, against
// two floors in the same run: `bird sql "SELECT 1"` (the CLI's start with DuckDB loaded) and a
// DuckDB COPY of the same 100,000 rows into one file. Wall time and peak RSS (GNU time);
// interleaved runs, medians. Writes bench/import.md.
//   node bench/import.mjs [--runs N]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
/** Where the build puts each bundle (packages/core/src/install-layout.ts). */
const INSTALL = createRequire(import.meta.url)('../packages/core/src/install-layout.json');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;
const N = 100_000;
const BIRD = join(repo, INSTALL.cliBundle);

const support = join(repo, 'node_modules', '.cache', 'bird-bench', 'import-support.mjs');
await build({ entryPoints: [join(repo, 'packages/import/src/testing/atuin-db.ts')], bundle: true, platform: 'node', format: 'esm', outfile: support, logLevel: 'error', external: ['sql.js'] });
const { atuinDb } = await import(pathToFileURL(support).href);

const dir = mkdtempSync(join(tmpdir(), 'bird-bench-import-'));
const START = 1_600_000_000; // two years of commands, one every ~10 minutes
const at = (i) => START + i * 631;
const cmd = (i) => `git commit -m "change ${i}" && make -j4 test-${i % 97}`;
const files = {
  zsh: Array.from({ length: N }, (_, i) => `: ${at(i)}:${i % 7};${cmd(i)}\n`).join(''),
  bash: Array.from({ length: N }, (_, i) => `#${at(i)}\n${cmd(i)}\n`).join(''),
  fish: Array.from({ length: N }, (_, i) => `- cmd: ${cmd(i)}\n  when: ${at(i)}\n`).join(''),
};
for (const [format, text] of Object.entries(files)) writeFileSync(join(dir, format), text);
const S = 1_000_000_000n;
writeFileSync(join(dir, 'atuin'), await atuinDb(Array.from({ length: N }, (_, i) => [`id${i}`, BigInt(at(i)) * S, BigInt(i % 7) * S, 0n, cmd(i), '/src', `s${i % 50}`, 'host:me'])));

const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;
/** Runs `args` under GNU time: wall ms and peak RSS in MB. */
function timed(args, root) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, ...args], { env: { ...env, BIRD_ROOT: root }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  const [wall, kb] = r.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  return { ms: wall * 1000, mb: kb / 1024, out: r.stdout };
}

const copySql = `COPY (SELECT 'id' || i AS id, to_timestamp(${START} + i * 631) AS ts, 'git commit -m "change ' || i || '" && make -j4 test-' || (i % 97) AS cmd FROM range(${N}) t(i)) TO '${join(dir, 'copy.parquet')}' (FORMAT parquet)`;
const cases = {
  'floor: bird sql "SELECT 1"': () => timed([BIRD, 'sql', 'SELECT 1'], mkdtempSync(join(dir, 'root-'))),
  'floor: DuckDB COPY of 100k rows': () => timed([BIRD, 'sql', copySql], mkdtempSync(join(dir, 'root-'))),
  ...Object.fromEntries(['zsh', 'bash', 'fish', 'atuin'].map((format) => [`bird import ${format}`, () => {
    const result = timed([BIRD, 'import', format, '--file', join(dir, format)], mkdtempSync(join(dir, 'root-')));
    if (!result.out.includes(`imported ${N},`)) throw new Error(`bird import ${format} did not import every entry: ${result.out}`);
    return result;
  }])),
};
const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let run = 0; run < RUNS; run++) for (const [name, go] of Object.entries(cases)) samples[name].push(go());
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const floor = median(samples['floor: bird sql "SELECT 1"'].map((s) => s.ms));
const lines = [
  '# bird import: 100,000 entries per format',
  '',
  `\`node bench/import.mjs\` (${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, Node ${process.version}; ${RUNS} interleaved runs each, medians). Each run is a fresh \`bird import\` into an empty parquet-mode store; an entry every ~10 minutes over two years, so about 730 day files per table.`,
  '',
  '| case | wall ms | vs bird sql "SELECT 1" | peak RSS MB |',
  '|---|---|---|---|',
  ...Object.entries(samples).map(([name, s]) => `| ${name} | ${median(s.map((x) => x.ms)).toFixed(0)} | ${(median(s.map((x) => x.ms)) / floor).toFixed(2)}x | ${median(s.map((x) => x.mb)).toFixed(0)} |`),
  '',
];
writeFileSync(join(repo, 'bench', 'import.md'), `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
