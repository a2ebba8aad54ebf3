#!/usr/bin/env node
// What `bird run` adds to the command it runs: wall time of `bird run -- CMD` against the bare CMD
// and against `node -e 0` (the floor of any Node program), interleaved in a rotating order, each a
// fresh process, stdout and stderr pipes (so `bird run` stores both streams). Then how much the
// blobs of a realistic session dedupe: the same few commands printing the same bytes again.
//
//   node bench/run-overhead.mjs [--runs N] [--write]
//
// Writes bench/run-overhead.md with --write; prints the table either way.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const INSTALL = createRequire(import.meta.url)('../packages/core/src/install-layout.json');
const BIRD = join(repo, INSTALL.cliBundle);
const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' }, write: { type: 'boolean', default: false } } });
const RUNS = Number(values.runs);

const work = mkdtempSync(join(tmpdir(), 'bird-bench-run-'));
const root = join(work, 'root');
const env = { ...process.env, BIRD_ROOT: root, BIRD_CLIENT_ID: 'bench@here' };
delete env.NODE_EXTRA_CA_CERTS;
delete env.NODE_OPTIONS;
delete env.BIRD_HOOKED;
const big = join(work, 'big.txt');
writeFileSync(big, Array.from({ length: 20_000 }, (_, i) => `line ${i} of a log a build printed, with some words in it\n`).join(''));

if (spawnSync(process.execPath, [BIRD, 'init'], { env }).status !== 0) throw new Error('bird init failed');

/** Milliseconds of one fresh process, output piped and discarded. */
function timed(argv) {
  const started = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw r.error;
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const cases = {
  'node -e 0': [process.execPath, '-e', '0'],
  true: ['true'],
  'bird run true': [process.execPath, BIRD, 'run', 'true'],
  [`cat (${(statSync(big).size / 1024 / 1024).toFixed(1)} MB)`]: ['cat', big],
  [`bird run cat (${(statSync(big).size / 1024 / 1024).toFixed(1)} MB)`]: [process.execPath, BIRD, 'run', 'cat', big],
};
const names = Object.keys(cases);
const times = Object.fromEntries(names.map((n) => [n, []]));
for (let run = 0; run < RUNS; run++) {
  for (let k = 0; k < names.length; k++) {
    const name = names[(run + k) % names.length];
    times[name].push(timed(cases[name]));
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const node = median(times['node -e 0']);

// A session's blobs, in a store of their own: a handful of commands, each run several times,
// printing what they printed before.
const sessionEnv = { ...env, BIRD_ROOT: join(work, 'session') };
const session = ['cat big', 'seq 1 50000', 'cat big', 'ls -la /usr/bin', 'seq 1 50000', 'cat big', 'ls -la /usr/bin', 'cat big'];
for (const line of session) {
  const argv = line === 'cat big' ? ['cat', big] : line.split(' ');
  spawnSync(process.execPath, [BIRD, 'run', '--', ...argv], { env: sessionEnv, stdio: ['ignore', 'pipe', 'pipe'] });
}
const blobsDir = join(work, 'session', 'db', 'blobs');
const blobs = readdirSync(blobsDir).flatMap((d) => readdirSync(join(blobsDir, d)).map((f) => statSync(join(blobsDir, d, f)).size));
const printed = JSON.parse(spawnSync(process.execPath, [BIRD, 'sql', "SELECT sum(byte_length)::BIGINT AS b, count(*) AS n FROM main.outputs WHERE storage_type = 'blob'", '--format', 'json'], { env: sessionEnv, encoding: 'utf8' }).stdout)[0];
rmSync(work, { recursive: true, force: true });

const rows = names.map((n) => `| ${n} | ${median(times[n]).toFixed(1)} ms | ${(median(times[n]) / node).toFixed(2)}x |`);
const table = [
  `# \`bird run\`: what it adds to a command`,
  '',
  `\`node bench/run-overhead.mjs --runs ${RUNS}\` on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; medians of ${RUNS} fresh processes each, interleaved in a rotating order; stdout and stderr pipes (so \`bird run\` stores both); NODE_EXTRA_CA_CERTS unset.`,
  '',
  '| command | median | ÷ `node -e 0` |',
  '|---|---|---|',
  ...rows,
  '',
  `Blobs of a session of ${session.length} \`bird run\`s (${[...new Set(session)].length} distinct commands printing the same bytes each time): ${printed.n} outputs stored as blobs, ${(Number(printed.b) / 1024 / 1024).toFixed(1)} MB printed, ${blobs.length} blob files holding ${(blobs.reduce((a, b) => a + b, 0) / 1024).toFixed(0)} KB on disk (gzip, one file per content): ${(Number(printed.b) / blobs.reduce((a, b) => a + b, 0)).toFixed(0)}x smaller than what was printed.`,
  '',
].join('\n');
process.stdout.write(table);
if (values.write) writeFileSync(join(repo, 'bench', 'run-overhead.md'), table);
