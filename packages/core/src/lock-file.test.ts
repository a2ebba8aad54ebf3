import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { lockHolderPid, tryLock } from './lock-file.ts';
import { holderStamp, readBootId } from './process-liveness.ts';

const RACERS = 4;
const ROUNDS = 100;
const STEP_MS = 4;
let racer = '';

beforeAll(() => {
  racer = join(mkdtempSync(join(tmpdir(), 'bird-racer-')), 'race-for-lock.cjs');
  buildSync({ entryPoints: [fileURLToPath(new URL('./testing/race-for-lock.ts', import.meta.url))], bundle: true, platform: 'node', format: 'cjs', outfile: racer, logLevel: 'silent' });
});

/** Lines a child writes, one promise per line asked for. */
function lines(child: ChildProcess): () => Promise<string> {
  const queue: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let buffered = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => {
    buffered += text;
    for (let at = buffered.indexOf('\n'); at !== -1; at = buffered.indexOf('\n')) {
      const line = buffered.slice(0, at);
      buffered = buffered.slice(at + 1);
      const next = waiting.shift();
      if (next) next(line);
      else queue.push(line);
    }
  });
  return () => (queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise((resolve) => waiting.push(resolve)));
}

interface Round {
  /** How many racers tryLock gave the lock. */
  readonly got: number;
  /** How many still held it (stillHeld) once every racer had tried. */
  readonly held: number;
  /** Whether the file then named the one that held it. */
  readonly namesHolder: boolean;
}

/** RACERS processes race for the locks `lock.0` … in `folder`, all in the same instant each round. */
async function race(folder: string): Promise<Round[]> {
  const children = Array.from({ length: RACERS }, () => spawn(process.execPath, [racer, folder, String(ROUNDS), String(STEP_MS)], { stdio: ['pipe', 'pipe', 'inherit'] }));
  try {
    const next = children.map(lines);
    for (const line of next) expect(await line()).toBe('ready');
    const start = Date.now() + 100;
    for (const child of children) child.stdin!.write(`go ${start}\n`);
    const got = (await Promise.all(next.map((line) => line()))).map((l) => JSON.parse(l) as number[]);
    for (const child of children) child.stdin!.write('check\n');
    const held = (await Promise.all(next.map((line) => line()))).map((l) => JSON.parse(l) as number[]);
    return Array.from({ length: ROUNDS }, (_, round) => {
      const holders = children.filter((_, i) => held[i]!.includes(round));
      return {
        got: got.filter((rounds) => rounds.includes(round)).length,
        held: holders.length,
        namesHolder: holders.length === 1 && lockHolderPid(join(folder, `lock.${round}`)) === holders[0]!.pid,
      };
    });
  } finally {
    for (const child of children) {
      const exited = once(child, 'exit');
      child.stdin!.end();
      await exited;
    }
  }
}

describe('a lock file', () => {
  it('goes to one of several processes that race for it', async () => {
    const rounds = await race(mkdtempSync(join(tmpdir(), 'bird-lock-')));
    expect(rounds.filter((r) => r.got !== 1 || r.held !== 1 || !r.namesHolder)).toEqual([]);
  });

  it('left by a dead holder goes to one of several processes that race to take it over', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'bird-lock-'));
    const dead = Number(String(spawnSync('sh', ['-c', 'echo $$']).stdout).trim());
    for (let round = 0; round < ROUNDS; round++) writeFileSync(join(folder, `lock.${round}`), `${dead} ${readBootId() || '-'} 1\n`);
    // Two may each remove the stale file and make their own; the file then names one of them,
    // and only that one goes on (stillHeld).
    const rounds = await race(folder);
    expect(rounds.filter((r) => r.got < 1 || r.held !== 1 || !r.namesHolder)).toEqual([]);
    for (let round = 0; round < ROUNDS; round++) expect(lockHolderPid(join(folder, `lock.${round}`))).toBeNull(); // released on the way out
  });

  it('is refused while this live process holds it, and free once released', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'bird-lock-')), 'lock');
    const first = tryLock(path)!;
    expect(readFileSync(path, 'utf8')).toBe(`${holderStamp()}\n`);
    expect(lockHolderPid(path)).toBe(process.pid);
    expect(tryLock(path)).toBeNull();
    first.release();
    expect(lockHolderPid(path)).toBeNull();
    expect(tryLock(path)).not.toBeNull();
  });

  it('is held while empty (its holder made it and has not written its stamp yet), unless it has been empty for long', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'bird-lock-')), 'lock');
    writeFileSync(path, '');
    expect(tryLock(path)).toBeNull();
    expect(readFileSync(path, 'utf8')).toBe('');
    const longAgo = new Date(Date.now() - 60_000);
    utimesSync(path, longAgo, longAgo);
    const taken = tryLock(path)!;
    expect(taken.stillHeld()).toBe(true);
  });
});
