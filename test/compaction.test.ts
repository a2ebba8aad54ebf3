// bird-sync compact against the real thing: bundles in child processes, captures writing, readers
// sampling through the store, kill -9 at random instants. Every sample sees each row once.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { birdLayout, ensureRoot, type BirdLayout } from '@bird/core';
import { appendToJournal, historyRowOf, indexFiles, readJournal } from '@bird/history-index';
import { initStore, openStore } from '@bird/store';
import { encodeRecord } from '../packages/capture/src/spool/record-format.ts';
import { invocation, writeLocal } from '../packages/store/src/testing/fixtures.ts';
import { CAPTURE_BUNDLE, REPO, buildBundles } from './cli-helpers.ts';
import { indexedIdsAndSources, storedIdsAndSources } from './support/history-index.ts';
import { tempDir } from './shells/shell-session.ts';

const SYNC = join(REPO, 'packages/sync-worker/dist/bird-sync.cjs');
const BIRD = join(REPO, 'packages/cli/dist/bird.cjs');

beforeAll(() => buildBundles());

const env = (root: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const e: NodeJS.ProcessEnv = { ...process.env, BIRD_ROOT: root, ...extra };
  delete e.NODE_EXTRA_CA_CERTS;
  return e;
};

async function newStore(configToml = '[compaction]\nmin_files = 5\nmin_age_seconds = 0\n'): Promise<BirdLayout> {
  const layout = birdLayout(join(tempDir('compact'), 'bird'));
  ensureRoot(layout);
  writeFileSync(layout.config, configToml);
  await initStore(layout);
  return layout;
}

async function counts(layout: BirdLayout): Promise<{ n: number; d: number }> {
  const c = await openStore(layout).connect({ attachRemotes: false });
  try {
    const { rows } = await c.query('SELECT count(*)::INT, count(DISTINCT id)::INT FROM main.invocations');
    return { n: Number(rows[0]![0]), d: Number(rows[0]![1]) };
  } finally {
    c.close();
  }
}

const today = () => new Date().toISOString().slice(0, 10);
const parquetFiles = (layout: BirdLayout, date: string) => {
  const dir = join(layout.localData, 'invocations', `date=${date}`);
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.parquet')) : [];
};

function runSync(layout: BirdLayout, args: string[]) {
  return spawnSync(process.execPath, [SYNC, ...args], { env: env(layout.root), encoding: 'utf8' });
}

/** `bird-sync compact` over and over in a child process, until killed. */
function compactorLoop(layout: BirdLayout): ChildProcess {
  return spawn('sh', ['-c', `while :; do "${process.execPath}" "${SYNC}" compact || exit 1; done`], { env: env(layout.root), stdio: 'ignore' });
}

describe('bird-sync compact', () => {
  it('every reader sample sees each row once, never fewer than before, never more than written, while two compactors loop and captures write', { timeout: 120_000 }, async () => {
    const layout = await newStore();
    let written = 0;
    const write = (n: number, date = today()) => {
      writeLocal(layout, 'invocations', Array.from({ length: n }, (_, i) => invocation({ cmd: `echo ${written + i}`, date, timestamp: BigInt(Date.parse(`${date}T12:00:00Z`)) * 1000n + BigInt(written + i) })));
      written += n;
    };
    write(30, '2026-01-05'); // a closed day
    write(20);
    const compactors = [compactorLoop(layout), compactorLoop(layout)];
    const samples: { n: number; d: number; before: number; after: number }[] = [];
    try {
      const until = Date.now() + 8000;
      while (Date.now() < until) {
        write(3);
        if (samples.length % 7 === 0) write(4, '2026-01-05'); // late rows land in the closed day too
        const before = written;
        const c = await counts(layout);
        samples.push({ ...c, before, after: written });
      }
    } finally {
      for (const c of compactors) c.kill();
    }
    expect(samples.length).toBeGreaterThan(20);
    let last = 0;
    for (const s of samples) {
      expect(s.n).toBe(s.d); // never a row twice
      expect(s.n).toBeGreaterThanOrEqual(Math.max(last, s.before)); // never fewer
      expect(s.n).toBeLessThanOrEqual(s.after); // never more than written
      last = s.n;
    }
    expect(runSync(layout, ['compact']).status).toBe(0);
    expect(await counts(layout)).toEqual({ n: written, d: written });
    expect(parquetFiles(layout, '2026-01-05')).toHaveLength(1); // the closed day is one file
    expect(parquetFiles(layout, today()).length).toBeLessThan(written / 4); // today is merged as it grows
  });

  it('loses and doubles nothing when killed with SIGKILL at random instants, 50 times', { timeout: 300_000 }, async () => {
    const layout = await newStore();
    let written = 0;
    let killedMidway = 0;
    // Kill instants spread over how long a run takes on this machine (learnt from the runs that
    // finished first), so that most kills land inside a run however fast or loaded it is.
    let runMs = 500;
    for (let run = 0; run < 50; run++) {
      const date = `2026-02-${String((run % 20) + 1).padStart(2, '0')}`;
      writeLocal(layout, 'invocations', Array.from({ length: 15 }, (_, i) => invocation({ cmd: `run ${run} ${i}`, date })));
      written += 15;
      const started = Date.now();
      const child = spawn(process.execPath, [SYNC, 'compact'], { env: env(layout.root), stdio: 'ignore' });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * runMs));
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        killedMidway++;
      } else {
        runMs = Math.max(50, Math.min(runMs, Date.now() - started));
      }
      await exited;
      // A reader right after: a publish the kill cut short is finished by it (or waited out).
      expect(await counts(layout)).toEqual({ n: written, d: written });
    }
    expect(killedMidway).toBeGreaterThan(10);
    expect(runSync(layout, ['compact']).status).toBe(0);
    expect(await counts(layout)).toEqual({ n: written, d: written });
    for (let day = 1; day <= 20; day++) expect(parquetFiles(layout, `2026-02-${String(day).padStart(2, '0')}`)).toHaveLength(1);
  });

  it('a drainer redoing a claim whose rows were merged since does not bring them back', { timeout: 60_000 }, async () => {
    const layout = await newStore('[compaction]\nmin_files = 2\nmin_age_seconds = 0\nauto = false\n');
    mkdirSync(layout.spool, { recursive: true, mode: 0o700 });
    let text = '';
    for (let n = 0; n < 6; n++) {
      const start = `${1_767_225_600 + n}.000000`; // 2026-01-01, a closed day
      text += encodeRecord({ shell: 'zsh', sessionId: 'redo', pid: 4_000_011, start, end: start, durationMs: null, exitCode: 0, clientId: null, cwd: '/tmp', cmd: `echo redo-${n}` });
    }
    // A drainer stores the records, then (as if killed before it could delete its claim) the
    // claim is still there for the next one.
    const claim = join(layout.spool, '4000011.redo.spool.4000012.1.claim');
    writeFileSync(claim, text, { mode: 0o600 });
    const drain = () => spawnSync(process.execPath, [CAPTURE_BUNDLE, '--drain'], { env: env(layout.root, { BIRD_DRAIN_LINGER_MS: '200', BIRD_DRAIN_GRACE_MS: '100' }) });
    drain();
    expect(await counts(layout)).toEqual({ n: 6, d: 6 });
    writeFileSync(claim, text, { mode: 0o600 });
    expect(runSync(layout, ['compact']).status).toBe(0);
    expect(parquetFiles(layout, '2026-01-01')).toHaveLength(1);
    drain();
    expect(existsSync(claim)).toBe(false);
    expect(await counts(layout)).toEqual({ n: 6, d: 6 });
    expect(parquetFiles(layout, '2026-01-01')).toHaveLength(1);
  });

  it('the drainer starts a compaction by itself once a partition passes min_files', { timeout: 60_000 }, async () => {
    const layout = await newStore('[compaction]\nmin_files = 5\nmin_age_seconds = 0\nauto_interval_minutes = 0\n');
    mkdirSync(layout.spool, { recursive: true, mode: 0o700 });
    let text = '';
    const now = Math.floor(Date.now() / 1000);
    for (let n = 0; n < 8; n++) {
      const start = `${now - 100 + n}.000000`;
      text += encodeRecord({ shell: 'bash', sessionId: 'auto', pid: 4_000_021, start, end: start, durationMs: null, exitCode: 0, clientId: null, cwd: '/tmp', cmd: `echo auto-${n}` });
    }
    writeFileSync(join(layout.spool, '4000021.auto.spool'), text, { mode: 0o600 });
    spawnSync(process.execPath, [CAPTURE_BUNDLE, '--drain'], { env: env(layout.root, { BIRD_DRAIN_LINGER_MS: '200', BIRD_DRAIN_GRACE_MS: '100' }) });
    const date = new Date((now - 100) * 1000).toISOString().slice(0, 10);
    const deadline = Date.now() + 30_000;
    while (parquetFiles(layout, date).length !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(parquetFiles(layout, date)).toHaveLength(1);
    expect(await counts(layout)).toEqual({ n: 8, d: 8 });
  });

  it('duckdb mode: inserts the rows spilled while the catalog was held, and checkpoints', { timeout: 60_000 }, async () => {
    const root = join(tempDir('compact-duck'), 'bird');
    expect(spawnSync(process.execPath, [BIRD, 'init', '--mode', 'duckdb'], { env: env(root) }).status).toBe(0);
    const layout = birdLayout(root);
    const holder = spawn(process.execPath, [join(REPO, 'packages/store/src/testing/hold-catalog.mjs'), layout.catalog, 'read_write', '6000'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve) => holder.stdout!.once('data', resolve));
    const start = String(Date.now() * 1000);
    const captured = spawnSync(process.execPath, [CAPTURE_BUNDLE, '--cmd', 'echo spilled', '--exit', '0', '--start-us', start, '--session', 's1'], { env: env(root) });
    expect(captured.status).toBe(0);
    expect(readdirSync(join(layout.spill, 'invocations'))).toHaveLength(1);
    await new Promise((resolve) => holder.once('exit', resolve));
    const result = spawnSync(process.execPath, [SYNC, 'compact', '--json'], { env: env(root), encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ outcome: 'done', mode: 'duckdb', rows: 2 }); // the invocation and its session
    expect(readdirSync(join(layout.spill, 'invocations'))).toEqual([]);
    const sql = spawnSync(process.execPath, [BIRD, 'sql', 'SELECT cmd FROM local.invocations', '--format', 'csv'], { env: env(root), encoding: 'utf8' });
    expect(sql.stdout).toBe('cmd\necho spilled\n');
  });
});

describe('bird compact (the cli)', () => {
  it('--dry-run prints the plan and changes nothing; --json prints a summary; a held lock is exit 0; a bad flag exit 2', { timeout: 60_000 }, async () => {
    const layout = await newStore();
    writeLocal(layout, 'invocations', Array.from({ length: 6 }, (_, i) => invocation({ cmd: `x ${i}` })));
    const bird = (args: string[]) => spawnSync(process.execPath, [BIRD, ...args], { env: env(layout.root), encoding: 'utf8' });
    const dry = bird(['compact', '--dry-run']);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toMatch(/^would merge 6 files of invocations 2024-06-01 into c-[0-9a-f]{20}\.parquet\n$/);
    expect(parquetFiles(layout, '2024-06-01')).toHaveLength(6);
    const { tryCompactionLock } = await import('@bird/core');
    const held = tryCompactionLock(layout)!;
    try {
      const locked = bird(['compact', '--json']);
      expect(locked.status).toBe(0);
      expect(JSON.parse(locked.stdout)).toMatchObject({ outcome: 'locked' });
    } finally {
      held.release();
    }
    const run = bird(['compact', '--json']);
    expect(run.status).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ outcome: 'done', filesIn: 6, filesOut: 1, rows: 6 });
    for (const key of ['bytesIn', 'bytesOut', 'seconds']) expect(typeof summary[key]).toBe('number');
    expect(parquetFiles(layout, '2024-06-01')).toHaveLength(1);
    const quiet = bird(['compact']);
    expect(quiet.status).toBe(0);
    expect(quiet.stdout + quiet.stderr).toBe(''); // silent when not on a terminal
    const bad = bird(['compact', '--bogus']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^bird: unknown option --bogus; usage: bird compact/);
  });
  it('folds a journal past 256 KB into the snapshot: the index readers saw, now whole, and the journal empty', { timeout: 60_000 }, async () => {
    const layout = await newStore();
    const bird = (args: string[]) => spawnSync(process.execPath, [BIRD, ...args], { env: env(layout.root), encoding: 'utf8' });
    writeLocal(layout, 'invocations', [invocation({ cmd: 'before the snapshot' })]);
    expect(bird(['history', '-n', '1']).status).toBe(0); // builds the index
    // 3,000 commands stored and journaled since, as a day of pulls brings: ~400 KB of journal.
    const since = Array.from({ length: 3000 }, (_, i) => invocation({ cmd: `journaled ${i} ${'x'.repeat(60)}`, timestamp: 1_717_243_300_000_000n + BigInt(i) * 1_000_000n }));
    writeLocal(layout, 'invocations', since);
    appendToJournal(layout.historyIndex, since.map((r) => historyRowOf(r)));
    const files = indexFiles(layout.historyIndex);
    expect(statSync(files.journal).size).toBeGreaterThan(256 * 1024);
    const seen = await indexedIdsAndSources(layout);
    const run = bird(['compact']);
    expect(run.status, run.stderr).toBe(0);
    expect(readJournal(files.journal).rows).toEqual([]);
    expect(await indexedIdsAndSources(layout)).toEqual(seen);
    expect(seen).toEqual(await storedIdsAndSources(layout));
  });
});
