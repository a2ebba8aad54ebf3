// What the errors and failing files cost `bird stats`: a store of 100,000 commands with no events
// (stats reads only the history index, as before) and with 5,000 events (stats opens DuckDB for
// them). `BEFORE_BUNDLE=<a bird.cjs built from main>` times that bundle too, interleaved.
// Usage: node bench/stats-events.mjs  → writes bench/stats-events.md
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { birdIn, makeStore } from './search-store.mjs';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const INSTALL = createRequire(import.meta.url)('../packages/core/src/install-layout.json');
const AFTER = join(repo, INSTALL.cliBundle);
const BEFORE = process.env.BEFORE_BUNDLE;
const COMMANDS = 100_000;
const EVENTS = 5_000;
const RUNS = 9;
const env = { ...process.env, TZ: 'UTC' };
delete env.NODE_EXTRA_CA_CERTS;

spawnSync(process.execPath, [join(repo, 'scripts/build.mjs')], { stdio: 'inherit' });
const loadAtStart = loadavg()[0];

const plain = makeStore(AFTER, env, COMMANDS);
const withEvents = makeStore(AFTER, env, COMMANDS);
// 5,000 events over the first 2,500 commands: errors of 50 kinds in 200 files, and failed tests.
const dir = join(withEvents, 'db', 'data', 'local', 'events', 'date=2026-01-01');
mkdirSync(dir, { recursive: true });
birdIn(AFTER, env, withEvents, [
  'sql',
  `COPY (SELECT 'e' || n AS id, i.id AS invocation_id, CASE WHEN n % 5 = 0 THEN NULL ELSE 'error' END AS severity,
      'src/file-' || (n % 200) || '.c' AS ref_file, (n % 300)::INT AS ref_line, 1::INT AS ref_column,
      '''name' || n || ''' undeclared (kind ' || (n % 50) || ')' AS message, NULL::VARCHAR AS code,
      CASE WHEN n % 5 = 0 THEN 'test' ELSE 'diagnostic' END AS kind, CASE WHEN n % 5 = 0 THEN 'test_' || n END AS test_name,
      CASE WHEN n % 5 = 0 THEN 'failed' END AS status, NULL::BIGINT AS duration_ms
    FROM (SELECT id, row_number() OVER (ORDER BY "timestamp") AS k FROM main.invocations) i, range(2) r(j), LATERAL (SELECT (i.k - 1) * 2 + j AS n)
    WHERE i.k <= ${EVENTS / 2}) TO '${join(dir, 'bench.parquet')}' (FORMAT parquet)`,
]);
const stored = JSON.parse(birdIn(AFTER, env, withEvents, ['sql', 'SELECT count(*) AS n FROM main.events', '--format', 'json']))[0].n;
if (stored !== EVENTS) throw new Error(`the store holds ${stored} events, not ${EVENTS}`);

const cases = [];
for (const [label, bundle] of [...(BEFORE ? [['main', BEFORE]] : []), ['this branch', AFTER]]) {
  for (const [events, root] of [[0, plain], [EVENTS, withEvents]]) cases.push({ label, bundle, events, root, ms: [] });
}
const timeStats = (c) => {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [c.bundle, 'stats'], { env: { ...env, BIRD_ROOT: c.root }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bird stats failed: ${r.stderr}`);
  c.ms.push(Number(process.hrtime.bigint() - started) / 1e6);
  c.errorsShown = r.stdout.includes('Most frequent errors');
};
for (const c of cases) timeStats(c); // warm the page cache and the code caches
for (const c of cases) c.ms = [];
for (let run = 0; run < RUNS; run++) for (const c of cases) timeStats(c);

const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const lines = [
  '# `bird stats` with and without events',
  '',
  `Measured by \`node bench/stats-events.mjs\` on ${cpus().length} shared cores, Node ${process.versions.node}, load average ${loadAtStart.toFixed(1)} at the start (others' tests share the machine); ${RUNS} interleaved runs of each, after one warm-up. Stores of ${COMMANDS.toLocaleString('en-US')} commands made as bench/search.mjs makes them (parquet mode); the second with ${EVENTS.toLocaleString('en-US')} events (errors and failed tests) in one Parquet file.`,
  '',
  '| bundle | events | median | p90 | errors shown |',
  '|---|---:|---:|---:|---|',
  ...cases.map((c) => `| ${c.label} | ${c.events.toLocaleString('en-US')} | ${quantile(c.ms, 0.5).toFixed(1)} ms | ${quantile(c.ms, 0.9).toFixed(1)} ms | ${c.errorsShown ? 'yes' : 'no'} |`),
  '',
  'With no events stored, stats reads only the history index (a look at the events folders is all it adds); with events it opens DuckDB over the store for them.',
  '',
];
writeFileSync(join(repo, 'bench/stats-events.md'), lines.join('\n'));
process.stdout.write(lines.join('\n'));
for (const root of [plain, withEvents]) rmSync(root, { recursive: true, force: true });
