// What the recorder itself costs a fast terminal, without any shell or hook: `cat FILE` run
// straight in a node-pty terminal, and run under `script -q -f -a -e -O LOG` (the hooks' recorder),
// with and without -f. Interleaved runs, medians; `node -e 0` and the load average as the floor.
// `node bench/script-proxy-cost.mjs [--runs N] [--mb N]`
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const pty = require('node-pty');
const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const RUNS = Number(opt('--runs', 5));
const MB = Number(opt('--mb', 100));

const dir = mkdtempSync(join(tmpdir(), 'bird-bench-script-'));
const big = join(dir, 'big.txt');
const line = `${'0123456789abcdef'.repeat(6)} some text that looks like a log line\n`;
writeFileSync(big, line.repeat(Math.ceil((MB << 20) / line.length)));
const log = join(dir, 'log');
const variants = {
  'cat, no recorder': ['cat', [big]],
  'cat under script -f (the hooks\u2019)': ['script', ['-q', '-f', '-a', '-e', '-O', log, '-c', `cat ${big}`]],
  'cat under script, no -f': ['script', ['-q', '-a', '-e', '-O', log, '-c', `cat ${big}`]],
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** Milliseconds from spawn to exit, every byte read as a terminal would (decoded into strings). */
const timeOne = ([cmd, argv]) =>
  new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const term = pty.spawn(cmd, argv, { name: 'xterm-256color', cols: 200, rows: 50, env: process.env });
    term.onData(() => {});
    term.onExit(() => resolve(Number(process.hrtime.bigint() - t0) / 1e6));
  });

const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const loadBefore = load();
const times = new Map(Object.keys(variants).map((k) => [k, []]));
const floors = [];
for (let i = 0; i < RUNS; i++) {
  const order = Object.keys(variants);
  if (i % 2) order.reverse();
  for (const k of order) {
    rmSync(log, { force: true });
    times.get(k).push(await timeOne(variants[k]));
  }
  const t0 = process.hrtime.bigint();
  execFileSync(process.execPath, ['-e', '0']);
  floors.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
rmSync(dir, { recursive: true, force: true });
const plain = median(times.get('cat, no recorder'));
const rows = [...times].map(([k, ts]) => `| ${k} | ${median(ts).toFixed(0)} ms (${(MB / (median(ts) / 1000)).toFixed(0)} MB/s) | ${(plain / median(ts)).toFixed(2)}x |`);
process.stdout.write(
  [
    `\`node bench/script-proxy-cost.mjs --runs ${RUNS} --mb ${MB}\` (${new Date().toISOString().slice(0, 10)}): \`cat\` of ${MB} MB into a node-pty terminal, medians of ${RUNS}.`,
    '',
    '| run | time | throughput vs no recorder |',
    '|---|---|---|',
    ...rows,
    '',
    `Floor: \`node -e 0\` median ${median(floors).toFixed(0)} ms; load average ${loadBefore} before, ${load()} after.`,
    '',
  ].join('\n'),
);
