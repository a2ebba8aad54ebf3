// A full disk, for real: a small tmpfs mounted for the test (needs root to mount, as CI runs; the
// tests that need one are skipped elsewhere).
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** True when this process can mount a tmpfs (tried once, on a probe folder). */
export const canMountTmpfs: boolean = (() => {
  const probe = join(tmpdir(), `bird-mount-probe-${process.pid}`);
  mkdirSync(probe, { recursive: true });
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]).status === 0;
  if (mounted) spawnSync('umount', [probe]);
  rmSync(probe, { recursive: true, force: true });
  return mounted;
})();

/** Mounts a tmpfs of `size` (`8m`) at a new folder; returns it. */
export function mountTmpfs(size: string): string {
  const dir = join(tmpdir(), `bird-full-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir]);
  if (r.status !== 0) throw new Error(`mount of a tmpfs at ${dir} failed: ${r.stderr.toString()}`);
  return dir;
}

export function unmountTmpfs(dir: string): void {
  spawnSync('umount', ['-l', dir]);
  rmSync(dir, { recursive: true, force: true });
}

/** Fills the disk of `dir` until `leaveKiB` KiB are left (0: to the last block) with a file `filler`. */
export function fillDisk(dir: string, leaveKiB = 0): void {
  const free = Number(spawnSync('df', ['--output=avail', '-k', dir]).stdout.toString().trim().split('\n').pop());
  const blocks = Math.max(0, Math.floor((free - leaveKiB) / 4));
  spawnSync('dd', ['if=/dev/zero', `of=${join(dir, 'filler')}`, 'bs=4k', ...(leaveKiB > 0 ? [`count=${blocks}`] : [])], { stdio: 'ignore' });
}
