// Forgetting by age, in both storage modes: `[retention] max_age_days` at compaction, and `bird
// forget --before DATE`. Each is one range forget per series (a line, not a line per command);
// rows older than the cutoff are gone everywhere here, newer ones kept, readers exact while it
// runs, and nothing brings the old rows back. A compaction killed at any instant and run again
// ends with exactly the old rows gone and every other row there once; a second compaction with
// nothing due writes no new tombstone.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { birdLayout, loadConfig, type StorageMode as ModeName } from '@bird/core';
import { openStore, storageModeOf } from '@bird/store';
import { invocation, session } from '../packages/store/src/testing/fixtures.ts';
import { at, BIRD_BUNDLE, buildBundles, expectOneLineError, Sandbox } from './cli-helpers.ts';
import { KillWindow } from './support/kill-window.ts';
import { indexedIdsAndSources, storedIdsAndSources } from './support/history-index.ts';

beforeAll(() => buildBundles());

const DAY_US = 86_400_000_000n;
/** Noon UTC `k` days before today's, in epoch µs (k ≥ 1: always in the past). */
const daysAgo = (k: number) => (BigInt(Date.now()) * 1000n / DAY_US - BigInt(k)) * DAY_US + DAY_US / 2n;
/** The first instant `[retention] max_age_days = days` keeps. */
const retentionCutoff = (days: number) => (BigInt(Date.now()) * 1000n / DAY_US - BigInt(days)) * DAY_US;

async function rows(root: string, query = 'SELECT id FROM main.invocations ORDER BY id'): Promise<string[]> {
  const conn = await openStore(birdLayout(root), { onWarning: () => undefined }).connect({ attachRemotes: false });
  try {
    return (await conn.query(query)).rows.map((r) => r.map(String).join(' '));
  } finally {
    conn.close();
  }
}

const tombstoneFiles = (root: string) => {
  const dir = birdLayout(root).tombstones;
  return existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort() : [];
};

/** A store in `mode` with two commands a day (06:00 and 18:00 UTC) on each of the `days` days before today, one session a day. */
function storeOverDays(mode: ModeName, days: number): Sandbox {
  const box = new Sandbox();
  expect(box.bird(['init', '--mode', mode]).code).toBe(0);
  for (let k = 1; k <= days; k++) {
    for (const shift of [-6n, 6n]) box.capture({ cmd: `day ${k} ${shift}`, exit: 0, startUs: daysAgo(k) + shift * 3_600_000_000n, session: `s-${k}` });
  }
  return box;
}

/** The commands (by text) a store of storeOverDays keeps once everything before `cutoff` (epoch µs) is gone. */
function keptAfter(days: number, cutoff: bigint): string[] {
  const out: string[] = [];
  for (let k = 1; k <= days; k++) for (const shift of [-6n, 6n]) if (daysAgo(k) + shift * 3_600_000_000n >= cutoff) out.push(`day ${k} ${shift}`);
  return out.sort();
}

const cmds = (root: string) => rows(root, 'SELECT cmd FROM main.invocations ORDER BY cmd');

/** Runs the built bird as a child process; resolves with its exit code. */
function birdChild(box: Sandbox, args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIRD_BUNDLE, ...args], { env: box.env(), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

/** Reads main.invocations' ids over and over until `done` settles (a connection per sample, as readers do). */
async function sampleWhile(root: string, done: Promise<unknown>): Promise<string[][]> {
  const samples: string[][] = [];
  let finished = false;
  void done.finally(() => (finished = true));
  while (!finished) samples.push(await rows(root));
  return samples;
}

describe.each<ModeName>(['parquet', 'duckdb'])('retention at compaction (%s mode)', (mode) => {
  it('forgets the commands older than max_age_days, keeps the rest, readers exact; a second compaction writes nothing new', async () => {
    const box = storeOverDays(mode, 30);
    const all = await rows(box.root);
    expect(all).toHaveLength(60);
    // Nothing set: a compaction keeps everything, and writes no tombstone.
    expect(box.bird(['compact']).code).toBe(0);
    expect(await rows(box.root)).toEqual(all);
    expect(tombstoneFiles(box.root)).toEqual([]);

    appendFileSync(birdLayout(box.root).config, '\n[retention]\nmax_age_days = 10\n');
    const compacting = birdChild(box, ['compact']);
    const samples = await sampleWhile(box.root, compacting);
    const done = await compacting;
    expect(done.code, done.stderr).toBe(0);
    expect(samples.length, 'reader samples taken while the compaction ran').toBeGreaterThan(0);

    const expected = keptAfter(30, retentionCutoff(10));
    expect(expected).toHaveLength(20);
    expect(await cmds(box.root)).toEqual(expected);
    const kept = await rows(box.root);
    for (const sample of samples) {
      expect(new Set(sample).size, 'a row read twice').toBe(sample.length);
      expect(kept.filter((id) => !sample.includes(id)), 'a kept row missing from a sample').toEqual([]);
      expect(sample.filter((id) => !all.includes(id))).toEqual([]);
    }
    // What hangs off them went too: the sessions left empty.
    expect(await rows(box.root, "SELECT count(*) FROM main.sessions WHERE session_id LIKE 's-%'")).toEqual(['10']);
    const layout = birdLayout(box.root);
    expect(await indexedIdsAndSources(layout)).toEqual(await storedIdsAndSources(layout));
    if (mode === 'parquet') {
      // Whole days went: no file is left in a partition of a day before the cutoff, not even an empty one.
      const cutoffDay = new Date(Number(retentionCutoff(10) / 1000n)).toISOString().slice(0, 10);
      for (const table of ['invocations', 'sessions']) {
        const old = readdirSync(join(layout.localData, table)).filter((p) => /^date=\d/.test(p) && p.slice(5) < cutoffDay);
        expect(old.flatMap((p) => readdirSync(join(layout.localData, table, p)))).toEqual([]);
      }
    }

    // One range forget, one line a series, not a line a command.
    const files = tombstoneFiles(box.root);
    expect(files).toHaveLength(1);
    const lines = readFileSync(join(layout.tombstones, files[0]!), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([{ series: 'tester@box', before: new Date(Number(retentionCutoff(10) / 1000n)).toISOString(), at: expect.any(String), by: 'tester@box', why: 'retention' }]);
    const removedNote = readFileSync(layout.rangesRemoved, 'utf8');

    // Nothing is due now: a second compaction writes no tombstone and changes nothing.
    expect(box.bird(['compact']).code).toBe(0);
    expect(tombstoneFiles(box.root)).toEqual(files);
    expect(readFileSync(layout.rangesRemoved, 'utf8')).toBe(removedNote);
    expect(await rows(box.root)).toEqual(kept);

    // Nothing brings them back: a capture of an old command (a clock set back), a drainer's redo.
    box.capture({ cmd: 'captured late, started long ago', exit: 0, startUs: daysAgo(20) });
    const modeOf = storageModeOf(layout, loadConfig(layout));
    const redo = [invocation({ cmd: 'redone', client_id: 'tester@box', timestamp: daysAgo(25), date: new Date(Number(daysAgo(25) / 1000n)).toISOString().slice(0, 10) })];
    expect((await modeOf.append(redo.map((i) => ({ invocation: i, session: session({ client_id: 'tester@box' }) })), { redo: true })).written).toBe(0);
    expect(box.bird(['compact']).code).toBe(0);
    expect(await rows(box.root)).toEqual(kept);

    // A shorter retention moves the cutoff on: the one file is replaced, not added to.
    writeFileSync(layout.config, readFileSync(layout.config, 'utf8').replace('max_age_days = 10', 'max_age_days = 5'));
    const shorter = box.bird(['compact', '--verbose']);
    expect(shorter.code, shorter.stderr).toBe(0);
    expect(shorter.stdout).toMatch(/^forgot 10 commands that started before \d{4}-\d{2}-\d{2} \(\[retention\] max_age_days\)\.$/m);
    expect(await cmds(box.root)).toEqual(keptAfter(30, retentionCutoff(5)));
    expect(tombstoneFiles(box.root)).toHaveLength(1);
    expect(tombstoneFiles(box.root)).not.toEqual(files);
    box.cleanup();
  }, 300_000);

  it('killed at any instant and run again: exactly the old rows gone, every other row once, the index in step (24 rounds)', async () => {
    const box = storeOverDays(mode, 60);
    const layout = birdLayout(box.root);
    const config = readFileSync(layout.config, 'utf8');
    const kills = new KillWindow(1500);
    for (let round = 0; round < 24; round++) {
      const days = 55 - 2 * round;
      writeFileSync(layout.config, `${config}\n[retention]\nmax_age_days = ${days}\n`);
      await kills.run(process.execPath, [BIRD_BUNDLE, 'compact'], { env: box.env() });
      const again = box.bird(['compact']);
      expect(again.code, again.stderr).toBe(0);
      if (round % 6 === 5 || round === 23) {
        const ids = await rows(box.root);
        expect(new Set(ids).size, 'a row there twice').toBe(ids.length);
        expect(await cmds(box.root)).toEqual(keptAfter(60, retentionCutoff(days)));
      }
    }
    expect(await indexedIdsAndSources(layout)).toEqual(await storedIdsAndSources(layout));
    expect(tombstoneFiles(box.root).length).toBeLessThanOrEqual(2); // a kill between the new file and the old one's deletion leaves two
    expect(kills.killed).toBeGreaterThan(3);
    box.cleanup();
  }, 900_000);

  it('refuses a max_age_days that is not a whole number of days in one sentence naming the file and the key', () => {
    const box = new Sandbox();
    expect(box.bird(['init', '--mode', mode]).code).toBe(0);
    appendFileSync(birdLayout(box.root).config, '\n[retention]\nmax_age_days = "30d"\n');
    expectOneLineError(box.bird(['compact']), 1, new RegExp(`^bird: ${birdLayout(box.root).config.replace(/[.]/g, '\\.')}: retention\\.max_age_days must be a whole number of days, at least 1, not "30d"`));
    box.cleanup();
  });
});

describe.each<ModeName>(['parquet', 'duckdb'])('bird forget --before DATE (%s mode)', (mode) => {
  it('forgets every command of every local series before the day, as one line a series; a dry run counts them', async () => {
    const box = new Sandbox();
    expect(box.bird(['init', '--mode', mode]).code).toBe(0);
    // Four days, three commands a day; the first day's under an id this machine had before.
    for (let d = 0; d < 4; d++) {
      for (let i = 0; i < 3; i++) box.capture({ cmd: `make ${d}.${i}`, exit: 0, startUs: at(d * 86_400 + i * 600), session: `s-${d}`, env: d === 0 ? { BIRD_CLIENT_ID: 'old@id' } : {} });
    }
    expect(box.bird(['compact']).code).toBe(0);
    const all = await rows(box.root);
    // at(0) is 2025-11-26 23:33:20 UTC: days 0 and 1 start before 2025-11-28.
    const dry = box.bird(['forget', '--before', '2025-11-28', '--dry-run']);
    expect(dry).toMatchObject({ code: 0, stdout: 'would forget 6 commands that started before 2025-11-28 00:00:00 UTC.\n' });
    expect(await rows(box.root)).toEqual(all);
    expect(tombstoneFiles(box.root)).toEqual([]);

    const done = box.bird(['forget', '--before', '2025-11-28', '--json']);
    expect(done.code, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ forgot: 6, before: '2025-11-28T00:00:00.000Z', rows: { invocations: 6, sessions: 2 } });
    expect(await cmds(box.root)).toEqual(['make 2.0', 'make 2.1', 'make 2.2', 'make 3.0', 'make 3.1', 'make 3.2']);
    const files = tombstoneFiles(box.root);
    expect(files).toHaveLength(1);
    const layout = birdLayout(box.root);
    const series = readFileSync(join(layout.tombstones, files[0]!), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { series: string }).series);
    expect(series).toEqual(['old@id', 'tester@box']);
    expect(await indexedIdsAndSources(layout)).toEqual(await storedIdsAndSources(layout));

    // It stays forgotten: a redo, a capture with an old start, a compaction bring nothing back.
    const modeOf = storageModeOf(layout, loadConfig(layout));
    const redo = invocation({ cmd: 'make 0.0 again', client_id: 'old@id', timestamp: at(5), date: '2025-11-26' });
    expect((await modeOf.append([{ invocation: redo, session: session({ client_id: 'old@id', date: '2025-11-26' }) }], { redo: true })).written).toBe(0);
    box.capture({ cmd: 'make late', exit: 0, startUs: at(60) });
    expect(box.bird(['compact']).code).toBe(0);
    expect(await cmds(box.root)).toEqual(['make 2.0', 'make 2.1', 'make 2.2', 'make 3.0', 'make 3.1', 'make 3.2']);
    // An earlier day forgets nothing more, and writes nothing.
    const again = box.bird(['forget', '--before', '2025-11-27']);
    expect(again).toMatchObject({ code: 0, stdout: 'forgot 0 commands that started before 2025-11-27 00:00:00 UTC; older ones stay forgotten on this machine.\n' });
    expect(tombstoneFiles(box.root)).toEqual(files);
    box.cleanup();
  }, 120_000);

  it('refuses a day still to come, a --before it cannot read, and --since without ids or --match, in one sentence', () => {
    const box = new Sandbox();
    expect(box.bird(['init', '--mode', mode]).code).toBe(0);
    box.capture({ cmd: 'make', exit: 0, startUs: at(0) });
    expectOneLineError(box.bird(['forget', '--before', '2999-01-01']), 2, /--before names a time still to come; give a day or a duration in the past/);
    expectOneLineError(box.bird(['forget', '--since', '7d']), 2, /name what to forget: the commands' ids, --match PATTERN, or --before DATE alone/);
    // The flag named is the one given.
    expectOneLineError(box.bird(['forget', '--before', 'soon']), 2, /^bird: --before takes a number of hours \(24h\), of days \(7d, 30d\) or a date \(YYYY-MM-DD\), not "soon"\.$/);
    expectOneLineError(box.bird(['forget', '--match', 'x*', '--before', 'soon']), 2, /^bird: --before takes/);
    expect(tombstoneFiles(box.root)).toEqual([]);
    box.cleanup();
  });
});
