#!/usr/bin/env node
// Issue 27's table in one place: every row of it, the number committed before (in the bench that
// measured it, cited) and the number now, each against its goal. The history reads (Ctrl-R first
// frame, `bird history -n 20`, the cold index build) are measured here at 100k, 1M and 10M rows
// (stores from bench/search-store.mjs, interleaved with `node -e 0`); the pull, attach and import
// rows run those benches' own scripts (--no-write) and read their tables. A row not run is filled
// from the committed file and marked "from <file>".
//   node bench/team-scale.mjs [--quick] [--only ROW[,ROW…]] [--runs N] [--no-write]
// --quick: 3 runs, the reads at 100k and 1M only, no other script run. Rows: see ROWS below.
// The full run takes ~30 min on 2 cores (the 10M store and its cold builds ~10 min of it).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { makeStore } from './search-store.mjs';
import { readPeakRss, searchSession } from './search-session.mjs';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const INSTALL = createRequire(import.meta.url)('../packages/core/src/install-layout.json');
const BIRD = join(repo, INSTALL.cliBundle);
const SYNC = join(repo, INSTALL.syncBundle);
const arg = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const QUICK = process.argv.includes('--quick');
const RUNS = Number(arg('--runs', QUICK ? 3 : 5));
const env = { ...process.env, TZ: 'UTC' };
delete env.NODE_EXTRA_CA_CERTS; // adds ~40 ms to every Node start here

const committed = (file) => readFileSync(join(repo, 'bench', file), 'utf8');
/** The cells of the table line of `text` whose first cells match `first` (a RegExp source). */
function cells(text, first) {
  const line = text.split('\n').find((l) => new RegExp(`^\\|\\s*${first}`).test(l));
  return line?.split('|').slice(1, -1).map((c) => c.trim()) ?? null;
}
const num = (cell) => Number(String(cell).replace(/[^0-9.]/g, ''));

// What each other bench's table says, read the same way from its committed file and from a fresh run's stdout.
const pullOf = (text) => {
  const first = /first pull: ([\d.]+) s, (\d+) MB/.exec(text);
  const after = cells(text, 'after');
  const nodeMs = Number(/`node -e 0` (\d+) ms/.exec(text)?.[1]);
  return { firstS: Number(first?.[1]), firstMb: Number(first?.[2]), ms: num(after?.[1]), mb: num(after?.[2]), nodeMs };
};
const importOf = (text) => {
  // With one build measured its row has no "(this tree)" after the name.
  const row = cells(text, 'bird import zsh \\(this tree\\)') ?? cells(text, 'bird import zsh \\|');
  return { s: num(row?.[1]), mb: num(row?.[3]) };
};
const attachOf = (text) => ({
  file: num(cells(text, 'SELECT 1, file remote')?.[4]),
  s3: num(cells(text, 'SELECT 1, S3 remote')?.[4]),
  firstS3: num(cells(text, 'count of remote_team, S3, listing expired')?.[2]),
});
const searchOf = (text, rows) => {
  const label = rows.toLocaleString('en');
  const history = cells(text, `\`bird history -n 20\` \\| ${label} `);
  const frame = cells(text, `\`bird search\`: spawn → first frame \\| ${label} `);
  return { historyMs: num(history?.[2]), historyX: num(history?.[4]), frameMs: num(frame?.[2]), frameX: num(frame?.[4]) };
};

/** Runs another bench script; its stdout. */
function script(name, args) {
  console.error(`running bench/${name} ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [join(repo, 'bench', name), ...args, '--no-write'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`bench/${name} failed (exit ${r.status})`);
  return r.stdout;
}

/** A fresh process under GNU time: wall ms and peak RSS MB. */
function timed(args, root) {
  const started = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-v', ...args], { env: { ...env, BIRD_ROOT: root }, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return { ms, mb: Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1]) / 1024 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const ms = (x) => `${x.toFixed(0)} ms`;
const sec = (x) => `${(x / 1000).toFixed(1)} s`;
const mb = (x) => `${x.toFixed(0)} MB`;

/** Until the rebuild `bird history` started detached has written its snapshot and let go of its lock. */
async function detachedRebuildDone(root) {
  const dir = join(root, 'db', 'history-index');
  const deadline = Date.now() + 30 * 60_000;
  while (!(existsSync(join(dir, 'snapshot.bhi')) && !existsSync(join(dir, 'rebuild.lock')))) {
    if (Date.now() > deadline) throw new Error(`the detached rebuild in ${dir} did not finish in 30 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * No index (as after an upgrade): `bird history` answers from the store and starts the rebuild
 * detached; wait it out, then time a rebuild of its own (`bird-sync index`).
 */
async function coldReads(root, r) {
  rmSync(join(root, 'db', 'history-index'), { recursive: true, force: true });
  const read = timed([process.execPath, BIRD, 'history', '-n', '20'], root);
  r.coldRead.push(read.ms);
  r.coldReadMb.push(read.mb);
  await detachedRebuildDone(root);
  rmSync(join(root, 'db', 'history-index'), { recursive: true, force: true });
  const rebuilt = timed([process.execPath, SYNC, 'index'], root);
  r.cold.push(rebuilt.ms);
  r.coldMb.push(rebuilt.mb);
  r.snapshot.push(statSync(join(root, 'db', 'history-index', 'snapshot.bhi')).size / 1e6);
}

/**
 * The history reads at `sizes` rows, RUNS interleaved rounds, each size in each round: `node -e 0`;
 * a cold `bird history -n 20` (no index: it builds one, as after an upgrade); the same warm; a
 * Ctrl-R session to its first frame and to the first frame of the whole index (searchable).
 * Without `cold` (no row wanted needs it) the index is built once per store and the cold reads
 * and rebuilds are left out: at 10M they are most of the run (two rebuilds of ~2 min a round).
 */
async function measureReads(sizes, cold = true) {
  const stores = Object.fromEntries(sizes.map((n) => {
    console.error(`making a store of ${n.toLocaleString('en')} commands`);
    return [n, makeStore(BIRD, env, n, { index: !cold })];
  }));
  const s = Object.fromEntries(sizes.map((n) => [n, { node: [], coldRead: [], coldReadMb: [], cold: [], coldMb: [], snapshot: [], history: [], historyMb: [], frame: [], whole: [], searchMb: [] }]));
  const rssFile = join(tmpdir(), `bird-team-scale-rss-${process.pid}`);
  try {
    for (let round = 0; round < RUNS; round++) {
      for (const n of round % 2 === 0 ? sizes : [...sizes].reverse()) {
        const root = stores[n];
        const r = s[n];
        r.node.push(timed([process.execPath, '-e', '0'], root).ms);
        if (cold) await coldReads(root, r);
        const warm = timed([process.execPath, BIRD, 'history', '-n', '20'], root);
        r.history.push(warm.ms);
        r.historyMb.push(warm.mb);
        const session = await searchSession(BIRD, env, root, { keys: 0, rssFile });
        r.frame.push(session.firstFrame);
        r.whole.push(session.whole);
        r.searchMb.push(readPeakRss(rssFile));
        console.error(`round ${round + 1}/${RUNS}, ${n.toLocaleString('en')} rows: ${cold ? `read with no index ${ms(r.coldRead.at(-1))} ${mb(r.coldReadMb.at(-1))}, rebuild ${sec(r.cold.at(-1))} ${mb(r.coldMb.at(-1))}, ` : ''}history ${ms(warm.ms)}, first frame ${ms(session.firstFrame)}, searchable ${ms(session.whole)}; ${mb(r.searchMb.at(-1))}`);
      }
    }
  } finally {
    for (const root of Object.values(stores)) rmSync(root, { recursive: true, force: true });
    rmSync(rssFile, { force: true });
  }
  return Object.fromEntries(sizes.map((n) => [n, Object.fromEntries(Object.entries(s[n]).map(([k, v]) => [k, median(v)]))]));
}

/** "met", or by how much not: `value` against the bar `limit` (lower is better). */
const verdict = (value, limit) => (!(value >= 0) ? '—' : value <= limit ? 'met' : `not met: ${((value / limit - 1) * 100).toFixed(0)}% over`);

// Before: the numbers committed in each bench's file (the tree's own "after" rows).
const before = {
  pull1m: pullOf(committed('pull-scale.md')),
  imp: importOf(committed('import-scale.md')),
  attach: attachOf(committed('attach.md')),
  s100k: searchOf(committed('search.md'), 100_000),
  s1m: searchOf(committed('search-scale.md'), 1_000_000),
  cold1m: cells(committed('index-journal.md'), 'after'),
};

/**
 * Issue 27's rows. `needs` names what a row is measured by (one run serves every row that needs it);
 * `row(now)` gives its cells: what, goal, before, now, verdict (now absent when not run).
 */
const ROWS = [
  { id: 'first-pull', needs: 'pull200k', row: (m) => ['first pull, 1,000 clients x 200 rows (file lake)', '≤ 1.5x SDK list-and-fetch floor', 'not measured before', m ? `${sec(m.firstS * 1000)}, ${mb(m.firstMb)}` : null, m ? 'floor not measured: no verdict' : '—'] },
  { id: 'pull-210-200k', needs: 'pull200k', row: (m) => ['pull of 210 new rows into a 200k store (1,000 clients)', '≤ 0.5 s, ≤ 150 MB (the 1M bar)', 'not measured before', m ? `${ms(m.ms)}, ${mb(m.mb)} (${(m.ms / m.nodeMs).toFixed(1)}x node)` : null, m ? `${verdict(m.ms, 500)}; RSS ${verdict(m.mb, 150)}` : '—'] },
  { id: 'pull-200-1m', needs: 'pull1m', row: (m) => ['pull of 200 new rows into a 1M store', '≤ 0.5 s, ≤ 150 MB', `${ms(before.pull1m.ms)}, ${mb(before.pull1m.mb)} (pull-scale.md)`, m ? `${ms(m.ms)}, ${mb(m.mb)}` : null, (v) => `${verdict(v.ms, 500)}; RSS ${verdict(v.mb, 150)}`] },
  { id: 'cold-history-1m', needs: 'reads', cold: true, row: (m) => ['cold `bird history -n 20` at 1M (index missing: read from the store, rebuilt detached; then the rebuild alone)', 'in the background, reads never wait', `${before.cold1m?.[6] ?? '?'}, ${before.cold1m?.[7] ?? '?'}, the read waiting for the build (index-journal.md)`, m?.[1e6] ? `read ${ms(m[1e6].coldRead)}, ${(m[1e6].coldRead / m[1e6].node).toFixed(1)}x node, ${mb(m[1e6].coldReadMb)}; rebuild ${sec(m[1e6].cold)}, ${mb(m[1e6].coldMb)}` : null, m?.[1e6] ? 'met: the read answers from the store, the build runs detached' : '—'] },
  { id: 'sql-remotes', needs: 'attach', row: (m) => ['`bird sql "SELECT 1"`, 1,000-client remote ÷ none (file / S3)', '≤ 1.2x', `${before.attach.file}x / ${before.attach.s3}x (attach.md)`, m ? `${m.file}x / ${m.s3}x` : null, (v) => `${verdict(v.file, 1.2)} / ${verdict(v.s3, 1.2)}`] },
  ...[[100_000, '100k', 100, before.s100k, 'search.md'], [1_000_000, '1M', 100, before.s1m, 'search-scale.md'], [10_000_000, '10M', 200, null, null]].map(([n, label, bar, b, file]) => ({
    id: `ctrl-r-${label.toLowerCase()}`, needs: 'reads', row: (m) => [`Ctrl-R first frame at ${label} (then: whole index searchable; peak RSS)`, `≤ ${bar} ms${n === 10_000_000 ? ', ≤ 300 MB' : ''}`, b ? `${ms(b.frameMs)}, ${b.frameX}x node (${file})` : 'not measured before', m?.[n] ? `${ms(m[n].frame)}, ${(m[n].frame / m[n].node).toFixed(2)}x node (searchable ${ms(m[n].whole)}; ${mb(m[n].searchMb)})` : null, m?.[n] ? `${verdict(m[n].frame, bar)}${n === 10_000_000 ? `; RSS ${verdict(m[n].searchMb, 300)}` : ''}` : '—'],
  })),
  ...[[1_000_000, '1M', 2.5, before.s1m, 'search-scale.md'], [10_000_000, '10M', 3, null, null]].map(([n, label, bar, b, file]) => ({
    id: `history-${label.toLowerCase()}`, needs: 'reads', row: (m) => [`\`bird history -n 20\` at ${label}, warm (÷ \`node -e 0\`; peak RSS)`, `≤ ${bar}x node${n === 10_000_000 ? ', ≤ 300 MB' : ''}`, b ? `${ms(b.historyMs)}, ${b.historyX}x (${file})` : 'not measured before', m?.[n] ? `${ms(m[n].history)}, ${(m[n].history / m[n].node).toFixed(2)}x; ${mb(m[n].historyMb)}` : null, m?.[n] ? `${verdict(m[n].history / m[n].node, bar)}${n === 10_000_000 ? `; RSS ${verdict(m[n].historyMb, 300)}` : ''}` : '—'],
  })),
  { id: 'index-10m', needs: 'reads', cold: true, row: (m) => ['cold history-index build at 10M (wall; peak RSS)', '≤ 30 s, in the background', 'ran out of a 4 GB heap (older rebuild)', m?.[1e7] ? `${sec(m[1e7].cold)}; ${mb(m[1e7].coldMb)}` : null, m?.[1e7] ? `${verdict(m[1e7].cold, 30_000)}; in the background (reads answer from the store meanwhile)` : '—'] },
  { id: 'snapshot-10m', needs: 'reads', cold: true, row: (m) => ['history-index snapshot on disk, per 1M rows (at 10M)', '≤ 61 MB', '61 MB at 1M (index-journal.md)', m?.[1e7] ? `${(m[1e7].snapshot / 10).toFixed(1)} MB (${mb(m[1e7].snapshot)} in all)` : null, m?.[1e7] ? verdict(m[1e7].snapshot / 10, 61) : '—'] },
  { id: 'import-1m', needs: 'import', row: (m) => ['import 1M zsh lines', '≤ 10 s, ≤ 400 MB', `${before.imp.s} s, ${before.imp.mb} MB (import-scale.md)`, m ? `${m.s} s, ${m.mb} MB` : null, (v) => `${verdict(v.s, 10)}; RSS ${verdict(v.mb, 400)}`] },
  { id: 'first-sql-s3', needs: 'attach', row: (m) => ['first `bird sql` reading an S3 remote of 1,000 clients (listing expired)', '— (no bar given)', `${before.attach.firstS3} s (attach.md)`, m ? `${m.firstS3} s` : null, '—'] },
];

// What each measurement is when not run: the committed numbers, for the rows that have them.
const committedOf = { pull1m: before.pull1m, import: before.imp, attach: before.attach };
const FROM = { pull1m: 'pull-scale.md', import: 'import-scale.md', attach: 'attach.md', pull200k: null, reads: null };

const only = arg('--only', null)?.split(',');
for (const id of only ?? []) if (!ROWS.some((r) => r.id === id)) throw new Error(`--only ${id}: no such row; rows: ${ROWS.map((r) => r.id).join(', ')}`);
const wanted = new Set(ROWS.filter((r) => (only ? only.includes(r.id) : QUICK ? r.needs === 'reads' : true)).map((r) => r.needs));
/** The store sizes the wanted read rows need (a row's size is in its id). */
const SIZE_OF = { '100k': 100_000, '1m': 1_000_000, '10m': 10_000_000 };
const sizes = [...new Set(ROWS.filter((r) => r.needs === 'reads' && (only ? only.includes(r.id) : true)).map((r) => SIZE_OF[/(100k|10m|1m)$/.exec(r.id)[1]]))]
  .filter((n) => !(QUICK && n === 10_000_000))
  .sort((a, b) => a - b);
const measured = {};
/** Whether a wanted row needs the cold reads and rebuilds (rows marked `cold`). */
const coldWanted = ROWS.some((r) => r.cold && (only ? only.includes(r.id) : QUICK ? r.needs === 'reads' : true));
if (wanted.has('reads') && sizes.length > 0) measured.reads = await measureReads(sizes, coldWanted);
if (wanted.has('pull200k')) measured.pull200k = pullOf(script('pull-scale.mjs', ['--rows', '200000', '--clients', '1000', '--new', '210', '--runs', String(RUNS)]));
if (wanted.has('pull1m')) measured.pull1m = pullOf(script('pull-scale.mjs', ['--rows', '1000000', '--clients', '20', '--new', '200', '--runs', String(RUNS)]));
if (wanted.has('import')) measured.import = importOf(script('import-scale.mjs', ['--runs', String(RUNS), '--lines', '1000000']));
if (wanted.has('attach')) measured.attach = attachOf(script('attach.mjs', ['--before', repo, '--runs', String(RUNS)]));

const lines = [
  '# Team scale: issue 27\'s table',
  '',
  `\`node bench/team-scale.mjs${process.argv.slice(2).filter((a) => a !== '--no-write').map((a) => ` ${a}`).join('')}\` on ${cpus().length} shared cores (${cpus()[0]?.model.trim()}), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; medians of ${RUNS} interleaved runs, NODE_EXTRA_CA_CERTS unset. "Before" is what the bench named beside it committed; "now" is this run, or, where marked "from <file>", that file's number (not run now).`,
  '',
  '| row | goal | before | now | goal met? |',
  '|---|---|---|---|---|',
];
for (const r of ROWS) {
  const m = measured[r.needs];
  const fresh = m !== undefined && !(r.cold && !coldWanted) && (r.needs !== 'reads' || JSON.stringify(r.row(m)[3]) !== 'null');
  const fallback = committedOf[r.needs];
  const [what, goal, was, now, judged] = r.row(fresh ? m : fallback);
  const value = fresh ? m : fallback;
  const verdictText = typeof judged === 'function' ? (value ? judged(value) : '—') : judged;
  const nowText = fresh ? now : now !== null && FROM[r.needs] ? `${now} (from ${FROM[r.needs]})` : 'not run';
  lines.push(`| ${what} | ${goal} | ${was} | ${nowText} | ${verdictText} |`);
}
if (measured.reads) {
  lines.push('', `\`node -e 0\` in the same rounds: ${Object.entries(measured.reads).map(([n, r]) => `${ms(r.node)} (beside the ${Number(n).toLocaleString('en')}-row reads)`).join(', ')}.`);
}
lines.push('');
const table = lines.join('\n');
process.stdout.write(table);
// Hand-written sections (`## …`) after the table are kept when the table is written again.
if (!process.argv.includes('--no-write')) {
  const out = join(repo, 'bench', 'team-scale.md');
  let kept = '';
  try {
    const old = readFileSync(out, 'utf8');
    const at = old.indexOf('\n## ');
    if (at >= 0) kept = old.slice(at + 1);
  } catch {
    // no earlier results
  }
  writeFileSync(out, table + (kept ? `\n${kept}` : ''));
}
