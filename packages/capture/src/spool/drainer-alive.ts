// Whether a process is alive, and whether it is a drainer of a given root: asked by drainers of
// each other's claims, and by `bird doctor` of the one drainer.pid names. No heavy imports.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** kill(pid, 0): EPERM still means the process exists. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Alive and really a drainer of this root: after a reboot, or on a busy machine, a claim's pid
 * may belong to anything, the drainer of another root included. The hooks give the root as
 * the argument after `--drain`; a drainer started without one (an older hook) is taken at its word.
 */
export function isDrainerAlive(pid: number, root?: string): boolean {
  if (!processAlive(pid)) return false;
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const at = args.indexOf('--drain');
    if (at === -1) return false;
    const given = args[at + 1];
    return root === undefined || given === undefined || given === '' || resolve(given) === root;
  } catch (error) {
    // ENOENT: it exited just now; anything else (no /proc on this system): trust kill(0)
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/** Shells compare this with their own to tell a marker left from before a reboot. */
export function readBootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
}
