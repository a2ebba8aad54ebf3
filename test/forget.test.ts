// bird forget, in both storage modes, with readers running and under kill -9: every reader
// sample holds each row or not (never a row twice, never a kept row missing), and a forget killed
// at any instant and run again ends with the forgotten commands gone everywhere here, every other
// command there exactly once, and the history index agreeing with the store. Nothing brings a
// forgotten command back: not a drainer's redo, not an import, not a compaction.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { birdLayout, loadConfig, type StorageMode as ModeName } from '@bird/core';
import { openStore, storageModeOf } from '@bird/store';
import { invocation, session } from '../packages/store/src/testing/fixtures.ts';
import { at, BIRD_BUNDLE, buildBundles, Sandbox } from './cli-helpers.ts';
import { KillWindow } from './support/kill-window.ts';
import { indexedIdsAndSources, storedIdsAndSources } from './support/history-index.ts';
import { filesHolding } from './support/secret-scan.ts';

beforeAll(() => buildBundles());

async function ids(root: string): Promise<string[]> {
  const conn = await openStore(birdLayout(root), { onWarning: () => undefined }).connect({ attachRemotes: false });
  try {
    return (await conn.query('SELECT id FROM main.invocations ORDER BY id')).rows.map((r) => String(r[0]));
  } finally {
    conn.close();
  }
}

/** A store in `mode` with 24 commands over two days, the first day compacted (merged files beside one-row ones). */
async function storeWithCommands(mode: ModeName): Promise<{ box: Sandbox; all: string[] }> {
  const box = new Sandbox();
  expect(box.bird(['init', '--mode', mode]).code).toBe(0);
  for (let i = 0; i < 24; i++) box.capture({ cmd: `${i % 5 === 0 ? 'echo s3cr3t-pasted' : 'make'} ${i}`, exit: 0, startUs: at(i * 3600 + (i >= 12 ? 86_400 : 0)), session: `s-${i % 3}` });
  expect(box.bird(['compact']).code).toBe(0);
  return { box, all: await ids(box.root) };
}

/**
 * Reads main.invocations' ids over and over until `done` settles, as readers do (a connection per
 * sample: in duckdb mode a connection held open would keep the forget from the catalog).
 */
async function sampleWhile(root: string, done: Promise<unknown>): Promise<string[][]> {
  const samples: string[][] = [];
  let finished = false;
  void done.finally(() => (finished = true));
  while (!finished) samples.push(await ids(root));
  return samples;
}

/** Runs the built bird with `args` as a child process; resolves with its exit code and output. */
function birdChild(box: Sandbox, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIRD_BUNDLE, ...args], { env: box.env(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe.each<ModeName>(['parquet', 'duckdb'])('bird forget (%s mode)', (mode) => {
  it('removes the commands and their sessions left empty; readers see each row or not; it stays forgotten', async () => {
    const { box, all } = await storeWithCommands(mode);
    const dry = box.bird(['forget', '--match', 'echo s3cr3t*', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout.split('\n').filter((l) => l.startsWith('would forget '))).toHaveLength(5);
    expect(await ids(box.root)).toEqual(all); // a dry run changes nothing
    expect(box.bird(['history', '-n', '100', 's3cr3t']).stdout).toMatch(/s3cr3t-pasted/);
    expect(await filesHolding(box.root, 's3cr3t-pasted')).not.toEqual([]);

    const forgetting = birdChild(box, ['forget', '--match', 'echo s3cr3t*', '--json']);
    const samples = await sampleWhile(box.root, forgetting);
    const gone = await forgetting;
    expect(gone.code, gone.stderr).toBe(0);
    expect(JSON.parse(gone.stdout)).toMatchObject({ forgot: 5, rows: { invocations: 5 } });
    expect(samples.length, 'reader samples taken while the forget ran').toBeGreaterThan(2);

    const kept = await ids(box.root);
    expect(kept).toHaveLength(19);
    for (const sample of samples) {
      expect(new Set(sample).size, 'a row read twice').toBe(sample.length);
      expect(kept.filter((id) => !sample.includes(id)), 'a kept row missing from a sample').toEqual([]);
      expect(sample.filter((id) => !all.includes(id))).toEqual([]);
    }
    const layout = birdLayout(box.root);
    expect(await indexedIdsAndSources(layout)).toEqual(await storedIdsAndSources(layout));
    expect(box.bird(['history', '-n', '100', 's3cr3t']).stdout).not.toMatch(/s3cr3t/);
    // Not a byte of them is left under the root (bird.duckdb included: it is rewritten).
    expect(await filesHolding(box.root, 's3cr3t-pasted')).toEqual([]);

    // It stays forgotten: a drainer's redo of the same commands, an import of a history that
    // still holds one, and a compaction bring nothing back.
    const forgotten = all.filter((id) => !kept.includes(id));
    const modeOf = storageModeOf(layout, loadConfig(layout));
    const redo = forgotten.map((id, i) => ({ invocation: invocation({ id, cmd: 'echo s3cr3t-pasted again', client_id: 'tester@box', date: '2025-11-27' }), session: session({ session_id: `s-redo-${i}`, client_id: 'tester@box', date: '2025-11-27' }) }));
    expect((await modeOf.append(redo, { redo: true })).written).toBe(0);
    expect(box.bird(['compact']).code).toBe(0);
    expect(await ids(box.root)).toEqual(kept);
    box.cleanup();
  });

  it('killed at any instant and run again: gone everywhere, everything else once, the index in step (30 rounds)', async () => {
    const { box, all } = await storeWithCommands(mode);
    let remaining = [...all];
    const kills = new KillWindow(700);
    for (let round = 0; round < 30; round++) {
      const target = remaining[round % remaining.length]!;
      await kills.run(process.execPath, [BIRD_BUNDLE, 'forget', target], { env: box.env() });
      // Run again, to its end.
      const again = box.bird(['forget', target]);
      expect([0, 1], again.stderr).toContain(again.code);
      remaining = remaining.filter((id) => id !== target);
      if (round % 10 === 9) {
        expect(await ids(box.root)).toEqual([...remaining].sort());
        const layout = birdLayout(box.root);
        expect(await indexedIdsAndSources(layout)).toEqual(await storedIdsAndSources(layout));
      }
      if (remaining.length === 4) break; // keep some rows: a store emptied proves less
    }
    expect(await ids(box.root)).toEqual([...remaining].sort());
    expect(kills.killed).toBeGreaterThan(3);
    box.cleanup();
  }, 600_000);

  it('gives the space back: bird doctor counts less stored once long commands are forgotten', async () => {
    const box = new Sandbox();
    expect(box.bird(['init', '--mode', mode]).code).toBe(0);
    // Random text, so compression cannot hide what the rows take.
    for (let i = 0; i < 60; i++) box.capture({ cmd: `echo pasted-${randomBytes(3000).toString('hex')}`, exit: 0, startUs: at(i * 60) });
    for (let i = 0; i < 5; i++) box.capture({ cmd: `make ${i}`, exit: 0, startUs: at(4000 + i) });
    expect(box.bird(['compact']).code).toBe(0);
    const stored = () => {
      const doctor = box.bird(['doctor', '--json']);
      return JSON.parse(doctor.stdout).store.bytes as { own: number; index: number; total: number };
    };
    const before = stored();
    expect(before.own, 'the long commands are stored').toBeGreaterThan(60 * 6000);
    expect(box.bird(['forget', '--match', 'echo pasted-*']).code).toBe(0);
    const after = stored();
    expect(before.own - after.own, 'bytes given back by the rows').toBeGreaterThan(60 * 5000);
    expect(before.index - after.index, 'bytes given back by the history index').toBeGreaterThan(60 * 5000);
    expect(box.bird(['doctor']).stdout).toMatch(/^ok +space: .* under the root \(your commands .*, history index .*\)$/m);
    box.cleanup();
  });

  it('names what it cannot do: an id stored nowhere, no target, ids and --match together', async () => {
    const box = new Sandbox();
    expect(box.bird(['init', '--mode', mode]).code).toBe(0);
    box.capture({ cmd: 'make', exit: 0, startUs: at(0) });
    const unknown = box.bird(['forget', 'no-such-id']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^bird: no command with id "no-such-id" is stored here; /);
    expect(box.bird(['forget']).code).toBe(2);
    expect(box.bird(['forget', 'x', '--match', 'y']).code).toBe(2);
    const hist = join(box.dir, 'h');
    writeFileSync(hist, 'x\n');
    expect(spawnSync(process.execPath, [BIRD_BUNDLE, 'forget', '--match', 'nothing *'], { env: box.env(), encoding: 'utf8' }).stdout).toBe('nothing to forget.\n');
    box.cleanup();
  });
});
