#!/usr/bin/env node
// bird import of a 1M-line zsh extended history (an entry a minute, ~2 years), against the
// DuckDB floor in the same run: read_csv of the same rows, COPY to one Parquet file. Each run a
// fresh store, then the same file again into it; wall time and peak RSS (GNU time); interleaved runs, medians. Writes
// bench/import-scale.md (CPU seconds too: on a loaded machine they move less than wall time).
//   node bench/import-scale.mjs [--runs N] [--lines N] [--bird BUNDLE ...] [--no-write]
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, openSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const arg = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const RUNS = Number(arg('--runs', 3));
const LINES = Number(arg('--lines', 1_000_000));
const birds = process.argv.flatMap((a, i) => (process.argv[i - 1] === '--bird' ? [a] : []));
/** Where the build puts each bundle (packages/core/src/install-layout.ts). */
const INSTALL = createRequire(import.meta.url)('../packages/core/src/install-layout.json');
if (birds.length === 0) birds.push(join(repo, INSTALL.cliBundle));

const dir = mkdtempSync(join(tmpdir(), 'bird-bench-import-scale-'));
const file = join(dir, 'zsh_history');
const csv = join(dir, 'rows.csv');
const START = 1_600_000_000;
const fd = openSync(file, 'w');
const fc = openSync(csv, 'w');
for (let i = 0; i < LINES; i += 10_000) {
  const n = Math.min(10_000, LINES - i);
  const cmds = Array.from({ length: n }, (_, k) => [START + (i + k) * 60, `git commit -m "change ${i + k}" && make -j4 test-${(i + k) % 97}`]);
  // Elapsed in whole seconds: a fraction (such as `(t / 60) % 7`, what this wrote before
  // 2026-12-07 evening) is no zsh header, and every line was read as a command without a time.
  writeSync(fd, cmds.map(([t, c], k) => `: ${t}:${(i + k) % 7};${c}\n`).join(''));
  writeSync(fc, cmds.map(([t, c]) => `${t}\t${c}\n`).join(''));
}
closeSync(fd);
closeSync(fc);

const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;
function timed(args, root) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', process.execPath, ...args], { env: { ...env, BIRD_ROOT: root }, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  const [wall, kb, user, sys] = r.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  return { ms: wall * 1000, mb: kb / 1024, cpu: user + sys, out: r.stdout };
}
const copySql = `COPY (SELECT to_timestamp(column0) AS ts, column1 AS cmd FROM read_csv('${csv}', delim='\t', header=false, quote='', escape='', columns={'column0': 'BIGINT', 'column1': 'VARCHAR'})) TO '${join(dir, 'copy.parquet')}' (FORMAT parquet)`;
const cases = {
  [`floor: DuckDB read_csv → COPY of ${LINES} rows`]: () => timed([birds[0], 'sql', copySql], mkdtempSync(join(dir, 'root-'))),
  ...Object.fromEntries(birds.flatMap((bird, k) => {
    const which = birds.length > 1 ? ` (${k === 0 ? 'this tree' : bird})` : '';
    let root;
    return [
      [`bird import zsh${which}`, () => {
        root = mkdtempSync(join(dir, 'root-'));
        const result = timed([bird, 'import', 'zsh', '--file', file], root);
        if (!result.out.includes(`imported ${LINES},`)) throw new Error(`bird import did not import every entry: ${result.out}`);
        return result;
      }],
      // The same file again into that store: every entry is skipped as stored (exactly once).
      [`bird import zsh again${which}`, () => {
        const result = timed([bird, 'import', 'zsh', '--file', file], root);
        if (!result.out.includes('imported 0,')) throw new Error(`bird import stored an entry twice: ${result.out}`);
        return result;
      }],
    ];
  })),
};
const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let run = 0; run < RUNS; run++) for (const [name, go] of Object.entries(cases)) samples[name].push(go());
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const floor = median(samples[Object.keys(cases)[0]].map((s) => s.ms));
const lines = [
  `# bird import at scale: ${LINES.toLocaleString('en')} zsh lines`,
  '',
  `\`node bench/import-scale.mjs --runs ${RUNS} --lines ${LINES}\` (${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, Node ${process.version}; ${RUNS} interleaved runs, medians). A fresh parquet-mode store each run, then the same file again into it (every entry already stored); an entry a minute (~${Math.round(LINES / 1440)} days).`,
  '',
  '| case | wall s | vs floor | peak RSS MB | CPU s (user + sys) |',
  '|---|---|---|---|---|',
  ...Object.entries(samples).map(([name, s]) => `| ${name} | ${(median(s.map((x) => x.ms)) / 1000).toFixed(1)} | ${(median(s.map((x) => x.ms)) / floor).toFixed(1)}x | ${median(s.map((x) => x.mb)).toFixed(0)} | ${median(s.map((x) => x.cpu)).toFixed(1)} |`),
  '',
];
if (!process.argv.includes('--no-write')) writeFileSync(join(repo, 'bench', 'import-scale.md'), `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
