// What parsing a command's output into events costs (packages/core/src/events), per 100 KB: each
// parser's fixture repeated to 100 KB and parsed as `bird run` parses it (ANSI stripped, lines cut,
// parsers picked by command and text, the fallback when none finds anything), beside a floor in
// the same run: one regex scan of the same text for the word `error`, and a split into lines.
// Also output no parser knows (plain text, the fallback's worst case) and the 1 MiB an output keeps.
// Run: node bench/events-parse.mjs   (writes nothing in the repo)
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'bird-events-bench-'));
await build({ entryPoints: [join(root, 'packages', 'core', 'src', 'events', 'index.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: join(dir, 'events.cjs'), logLevel: 'error' });
const { parseOutput } = createRequire(import.meta.url)(join(dir, 'events.cjs'));

const fixtures = join(root, 'packages', 'core', 'src', 'events', 'fixtures');
const body = (name) => readFileSync(join(fixtures, name), 'utf8').split('\n---\n').slice(1).join('\n---\n');
const COMMANDS = {
  'gcc.txt': 'gcc -c bad.c', 'gcc-color.txt': 'gcc -c bad.c', 'shellcheck.txt': 'shellcheck -f gcc x.sh', 'make.txt': 'make', 'cargo.txt': 'cargo build',
  'go-build.txt': 'go build', 'go-vet.txt': 'go vet', 'go-test.txt': 'go test -v', 'tsc.txt': 'tsc', 'tsc-pretty.txt': 'tsc --pretty',
  'eslint-stylish.txt': 'eslint .', 'eslint-unix.txt': 'eslint -f unix .', 'python-traceback.txt': 'python3 x.py', 'pytest-ra.txt': 'pytest -rA',
  'pytest-summary.txt': 'pytest', 'jest.txt': 'jest', 'vitest.txt': 'vitest run', 'mypy.txt': 'mypy .', 'flake8.txt': 'flake8', 'ruff.txt': 'ruff check',
  'tap.txt': 'node --test', 'junit.txt': './gradlew test',
};
const to = (text, bytes) => text.repeat(Math.ceil(bytes / Buffer.byteLength(text))).slice(0, bytes);
const KB100 = 100 * 1024;
// A build log no parser knows: paths, timings and words; with `errors`, one `file:line: error` in 200 lines.
function plainLog(errors) {
  return Array.from({ length: 4000 }, (_, i) => (errors && i % 200 === 199 ? `lib/mod${i}.nim:${i}:3: Error: type mismatch` : `[${i}] compiling src/module_${i}/file_${i % 37}.c -> build/obj/${i}.o (${(i * 7) % 100} ms)`)).join('\n');
}
const plain = plainLog(true);

// Dense: the fixture repeated, every few lines an event (a worst case); sparse: the fixture once
// in 100 KB of ordinary log lines (a build that prints progress and fails once).
const noise = plainLog(false);
const cases = [
  ...readdirSync(fixtures).sort().flatMap((f) => [
    { name: `${f.replace('.txt', '')}, dense`, cmd: COMMANDS[f] ?? '', text: to(body(f), KB100) },
    { name: `${f.replace('.txt', '')}, sparse`, cmd: COMMANDS[f] ?? '', text: `${noise.slice(0, KB100 / 2)}\n${body(f)}\n${noise.slice(KB100 / 2, KB100 - Buffer.byteLength(body(f)) - 2)}` },
  ]),
  { name: 'fallback (unknown tool, plain log)', cmd: './build.sh', text: to(plain, KB100) },
  { name: 'plain log, no event', cmd: 'ls -lR', text: to(plainLog(false), KB100) },
  { name: 'gcc, 1 MiB dense (an output kept whole)', cmd: 'gcc -c bad.c', text: to(body('gcc.txt'), 1024 * 1024) },
];

const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const ROUNDS = 31;
const time = (fn) => {
  const t = performance.now();
  fn();
  return performance.now() - t;
};
console.log(`| output (100 KB unless said) | events | parse median ms | regex scan ms | split ms | parse / scan |\n|---|---|---|---|---|---|`);
for (const c of cases) {
  for (let i = 0; i < 5; i++) parseOutput(c.text, c.cmd); // warm
  const parse = [], scan = [], split = [];
  let events = 0;
  for (let r = 0; r < ROUNDS; r++) {
    parse.push(time(() => (events = parseOutput(c.text, c.cmd).events.length)));
    scan.push(time(() => c.text.match(/error/gi)));
    split.push(time(() => c.text.split('\n')));
  }
  console.log(`| ${c.name} | ${events} | ${median(parse).toFixed(2)} | ${median(scan).toFixed(2)} | ${median(split).toFixed(2)} | ${(median(parse) / median(scan)).toFixed(1)}x |`);
}
