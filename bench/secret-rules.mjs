// Should the drainer redact with secretlint's recommended preset instead of core's own patterns?
// Installs secretlint into a temporary folder (it is not a dependency), bundles it as bird would,
// and compares in one run, interleaved: Node's start (`node -e 0`), a start that loads the
// preset, one that also lints a command; then the warm cost per command of each, and which of
// a set of real command lines each one catches.
// Run: node bench/secret-rules.mjs   (needs the npm registry; writes nothing in the repo)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const dir = mkdtempSync(join(tmpdir(), 'bird-secretlint-'));
execFileSync('npm', ['init', '-y'], { cwd: dir, stdio: 'ignore' });
execFileSync('npm', ['install', '--no-audit', '--no-fund', '@secretlint/core', '@secretlint/secretlint-rule-preset-recommend'], { cwd: dir, stdio: 'ignore' });
writeFileSync(join(dir, 'entry.cjs'), "module.exports = { ...require('@secretlint/core'), preset: require('@secretlint/secretlint-rule-preset-recommend').creator };\n");
execFileSync(join(import.meta.dirname, '..', 'node_modules', '.bin', 'esbuild'), ['entry.cjs', '--bundle', '--platform=node', '--format=cjs', '--outfile=bundle.cjs', '--log-level=error'], { cwd: dir });
const bundle = join(dir, 'bundle.cjs');
await build({ entryPoints: [join(import.meta.dirname, '..', 'packages', 'core', 'src', 'secret-patterns.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: join(dir, 'ours.cjs'), logLevel: 'error' });
const { redactSecrets } = createRequire(import.meta.url)(join(dir, 'ours.cjs'));

const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;
const lintOne = `const s=require(${JSON.stringify(bundle)});s.lintSource({source:{filePath:'/c',content:'mysql -u root -phunter2',contentType:'text'},options:{config:{rules:[{id:'p',rule:s.preset}]}}})`;
const starts = { 'node -e 0': ['-e', '0'], 'load the preset': ['-e', `require(${JSON.stringify(bundle)})`], 'load it and lint one command': ['-e', lintOne] };
const times = Object.fromEntries(Object.keys(starts).map((k) => [k, []]));
for (let i = 0; i < 21; i++) {
  for (const [name, args] of Object.entries(starts)) {
    const t = process.hrtime.bigint();
    spawnSync(process.execPath, args, { env });
    times[name].push(Number(process.hrtime.bigint() - t) / 1e6);
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const floor = median(times['node -e 0']);
console.log('| start | median ms | vs node -e 0 |\n|---|---|---|');
for (const [name, a] of Object.entries(times)) console.log(`| ${name} | ${median(a).toFixed(1)} | ${(median(a) / floor).toFixed(2)}x |`);

const secretlint = createRequire(import.meta.url)(bundle);
const config = { rules: [{ id: 'p', rule: secretlint.preset }] };
const found = async (cmd) => (await secretlint.lintSource({ source: { filePath: '/c', content: cmd, contentType: 'text' }, options: { config } })).messages.length > 0;
const sample = Array.from({ length: 500 }, (_, i) => `git commit -m "change ${i}" && ls -la /tmp/dir${i}`);
for (const cmd of sample.slice(0, 20)) await found(cmd);
let t = performance.now();
for (const cmd of sample) await found(cmd);
const lintMs = (performance.now() - t) / sample.length;
t = performance.now();
for (let r = 0; r < 10; r++) for (const cmd of sample) redactSecrets(cmd);
const ourMs = (performance.now() - t) / (10 * sample.length);
console.log(`\nwarm, per command: secretlint ${lintMs.toFixed(3)} ms, core's patterns ${ourMs.toFixed(4)} ms`);

const lines = [
  'mysql -u root -phunter2 shop',
  'sshpass -p hunter2 ssh deploy@web1',
  'curl -u alice:hunter2 https://api.example.com',
  'curl -H "Authorization: Basic YWxpY2U6aHVudGVyMg==" https://x',
  'docker login -u ci -p hunter2 registry.example.com',
  'export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'aws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE',
  'glab auth login --token glpat-abcdefghijklmnopqrst',
  'npm config set //registry.npmjs.org/:_authToken npm_abcdefghijklmnopqrstuvwxyz0123456789',
  'curl -d @m.json https://hooks.slack.com/services/T00000000/B00000000/abcdefghijklmnopqrstuvwx',
  'psql postgres://app:s3cret@db.internal/app',
];
console.log('\n| command | secretlint | core |\n|---|---|---|');
for (const line of lines) console.log(`| \`${line.slice(0, 60)}\` | ${(await found(line)) ? 'caught' : 'missed'} | ${redactSecrets(line) !== line ? 'caught' : 'missed'} |`);
