import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holderStamp, isHolderAlive, isProcessAlive, parseHolderStamp, processStartTime, readBootId } from './process-liveness.ts';

/** Processes the stamps below name. */
interface World {
  readonly boot: string;
  /** A live process that is not this one, and when it started. */
  readonly live: number;
  readonly liveStart: string;
  /** A pid that ran and exited (reaped). */
  readonly dead: number;
  /** A process that exited and was never reaped. */
  readonly zombie: number;
}

const CASES: readonly { what: string; stamp: (w: World) => string; alive: boolean }[] = [
  { what: 'this process', stamp: () => holderStamp(), alive: true },
  { what: 'a live process, with its start time', stamp: (w) => `${w.live} ${w.boot} ${w.liveStart}`, alive: true },
  { what: 'a live process, stamped without a start time (a marker a hook wrote, an older stamp)', stamp: (w) => `${w.live} ${w.boot} -`, alive: true },
  { what: 'a live process, stamped with its pid alone', stamp: (w) => `${w.live}`, alive: true },
  { what: 'a reused pid: the process has another start time', stamp: (w) => `${w.live} ${w.boot} ${Number(w.liveStart) - 1}`, alive: false },
  { what: 'this pid, but an earlier process that had it (another start time)', stamp: (w) => `${process.pid} ${w.boot} 1`, alive: false },
  { what: 'a live pid stamped on another boot', stamp: (w) => `${w.live} another-boot ${w.liveStart}`, alive: false },
  { what: 'a dead pid', stamp: (w) => `${w.dead} ${w.boot} 1`, alive: false },
  { what: 'a dead pid, without a start time', stamp: (w) => `${w.dead} ${w.boot}`, alive: false },
  { what: 'a zombie (exited, never reaped)', stamp: (w) => `${w.zombie} ${w.boot} -`, alive: false },
  { what: 'a pid that cannot exist', stamp: (w) => `4000123 ${w.boot} 1`, alive: false },
  { what: 'pid 0 (kill(0) would ask about our own group)', stamp: (w) => `0 ${w.boot} -`, alive: false },
  { what: 'an empty stamp', stamp: () => '', alive: false },
  { what: 'garbage', stamp: () => 'garbage', alive: false },
  { what: 'a negative pid', stamp: (w) => `-1 ${w.boot} -`, alive: false },
];

describe('whether a stamp names a live holder', () => {
  let world: World;
  let live: ChildProcess;
  let parent: ChildProcess;

  beforeAll(async () => {
    live = spawn('sleep', ['60']);
    // The child exits a second later, when its parent has been exec'd into `sleep 60`, which
    // never reaps it. (A child that exited at once could be reaped by sh before the exec.)
    parent = spawn('sh', ['-c', 'sleep 1 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const zombie = Number(await new Promise<string>((resolve) => parent.stdout!.once('data', (d) => resolve(String(d)))));
    while (!/\) Z /.test(readFileSync(`/proc/${zombie}/stat`, 'utf8'))) await sleep(20);
    const dead = Number(String(spawnSync('sh', ['-c', 'echo $$']).stdout).trim());
    world = { boot: readBootId(), live: live.pid!, liveStart: processStartTime(live.pid!)!, dead, zombie };
    expect(world.liveStart).toMatch(/^\d+$/);
  });

  afterAll(() => {
    live.kill();
    parent.kill();
  });

  it.each(CASES)('$what: alive is $alive', ({ stamp, alive }) => {
    expect(isHolderAlive(stamp(world))).toBe(alive);
  });

  it('a bare pid is alive while its process runs and is not a zombie', () => {
    expect([isProcessAlive(world.live), isProcessAlive(world.dead), isProcessAlive(world.zombie), isProcessAlive(0)]).toEqual([true, false, false, false]);
  });

  it('reads the parts of a stamp, leaving out what it does not say', () => {
    expect(parseHolderStamp(`12 b00t 345\n`)).toEqual({ pid: 12, bootId: 'b00t', startTime: '345' });
    expect(parseHolderStamp('12 - -')).toEqual({ pid: 12, bootId: null, startTime: null });
    expect(parseHolderStamp('12')).toEqual({ pid: 12, bootId: null, startTime: null });
    expect(parseHolderStamp('x 1 2')).toBeNull();
    expect(holderStamp()).toBe(`${process.pid} ${readBootId()} ${processStartTime(process.pid)}`);
  });
});
