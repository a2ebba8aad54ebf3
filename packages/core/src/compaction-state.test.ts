import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { holderStamp, isStaleLock, processStartTime, tryCompactionLock, tryLockFile } from './compaction-state.ts';
import { birdLayout } from './paths.ts';

const boot = holderStamp().split(' ')[1]!;

describe('the compaction lock', () => {
  it('is held by a live holder, and stale for a dead one, a reused pid, a zombie or another boot', async () => {
    const other = spawn('sleep', ['30']);
    // `sleep 0` exits at once; its parent, exec'd into `sleep 30`, never reaps it: a zombie.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const zombie = Number(await new Promise<string>((resolve) => parent.stdout!.once('data', (d) => resolve(String(d)))));
      await new Promise((resolve) => setTimeout(resolve, 200));
      const started = processStartTime(other.pid!)!;
      expect(started).toMatch(/^\d+$/);
      expect(isStaleLock(`${other.pid} ${boot} ${started}`)).toBe(false);
      expect(isStaleLock(`${other.pid} ${boot} ${Number(started) - 1}`)).toBe(true); // the pid, but another process
      expect(isStaleLock(`${other.pid} another-boot ${started}`)).toBe(true);
      expect(isStaleLock(`${zombie} ${boot} -`)).toBe(true);
      expect(isStaleLock(`4000123 ${boot} 1`)).toBe(true);
      expect(isStaleLock('garbage')).toBe(true);
    } finally {
      other.kill();
      parent.kill();
    }
  });

  it('is taken over from a stale holder, and refused while a live one holds it', () => {
    const layout = birdLayout(mkdtempSync(join(tmpdir(), 'bird-lock-')));
    const first = tryCompactionLock(layout)!;
    expect(first.stillHeld()).toBe(true);
    writeFileSync(join(layout.compaction, 'lock'), `1 ${boot} 0\n`); // pid 1, but started at another tick: a reused pid
    expect(first.stillHeld()).toBe(false);
    const second = tryCompactionLock(layout)!;
    expect(second).not.toBeNull();
    expect(tryCompactionLock(layout)).toBeNull(); // held (by this live process): refused
    second.release();
    expect(tryCompactionLock(layout)).not.toBeNull(); // released: free
  });

  it('is held while empty (its holder made it and has not written its stamp yet), unless it has been empty for long', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'bird-lock-')), 'lock');
    writeFileSync(path, '');
    expect(tryLockFile(path)).toBeNull();
    expect(readFileSync(path, 'utf8')).toBe('');
    const longAgo = new Date(Date.now() - 60_000);
    utimesSync(path, longAgo, longAgo);
    const taken = tryLockFile(path)!;
    expect(taken.stillHeld()).toBe(true);
  });
});
