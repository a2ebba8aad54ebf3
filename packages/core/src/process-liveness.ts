/**
 * Whether the process a lock or marker names is still alive: the one rule every lock file, the
 * drainer's marker, the history index's stale markers and the spill folders of `db/tmp` go by.
 *
 * A holder is named by a stamp, `<pid> <boot id> <start time>`. It is alive when
 *   1. it is of this boot (a stamp from before a reboot names nothing that still runs),
 *   2. its pid exists and is not a zombie, and
 *   3. that pid started when the stamp says (pids are reused; a pid and its start time name
 *      one process for good).
 * Where there is no /proc, 1 and 3 cannot be asked and `kill(pid, 0)` is all there is for 2.
 * A part a stamp leaves out (`-`, or missing: an older stamp, a marker a shell hook wrote) is
 * not checked. The hooks ask the same with shell builtins: see hooks/bird.zsh, __bird_alive.
 *
 * DuckDB-free and small: the drainer loads it.
 */
import { existsSync, readFileSync } from 'node:fs';

/** Who holds a lock or left a marker. Null parts are unknown, and not checked. */
export interface Holder {
  readonly pid: number;
  readonly bootId: string | null;
  readonly startTime: string | null;
}

let bootIdOfThisBoot: string | undefined;

/** The kernel's id of this boot (fixed for a process's life); '' where there is no /proc. */
export function readBootId(): string {
  if (bootIdOfThisBoot === undefined) {
    try {
      bootIdOfThisBoot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      // no /proc here: liveness falls back to the pid alone
      bootIdOfThisBoot = '';
    }
  }
  return bootIdOfThisBoot;
}

/**
 * When process `pid` started, in clock ticks since boot (field 22 of /proc/PID/stat), or null
 * when there is no such process, it is a zombie, or there is no /proc. With the pid it names one
 * process for good: pids are reused (32768 of them go round in minutes on a busy machine),
 * start times are not.
 */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the ")" that ends the command name: state is field 3, start time field 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? null : (fields[19] ?? null);
  } catch {
    // the process is gone, or /proc is not there: no start time to compare
    return null;
  }
}

/** This process's stamp: `<pid> <boot id> <start time>` (`-` for a part there is no /proc to give). */
export function holderStamp(): string {
  return `${process.pid} ${readBootId() || '-'} ${processStartTime(process.pid) ?? '-'}`;
}

const PID = /^[1-9][0-9]{0,9}$/;
const MAX_PID = 2 ** 22; // the kernel's limit (pid_max) on 64-bit Linux

/** The holder a stamp names, or null when it names none (empty, garbage, pid 0: never kill(0), which means "my group"). */
export function parseHolderStamp(text: string): Holder | null {
  const [pid, boot, started] = text.trim().split(/\s+/);
  if (pid === undefined || !PID.test(pid) || Number(pid) > MAX_PID) return null;
  return {
    pid: Number(pid),
    bootId: boot === undefined || boot === '-' || boot === '' ? null : boot,
    startTime: started !== undefined && /^[0-9]+$/.test(started) ? started : null,
  };
}

/** The rule (see the top of this file). A stamp that names no holder names no live one. */
export function isHolderAlive(holder: Holder | string): boolean {
  const h = typeof holder === 'string' ? parseHolderStamp(holder) : holder;
  if (h === null || !PID.test(String(h.pid)) || h.pid > MAX_PID) return false;
  const thisBoot = readBootId();
  if (h.bootId !== null && thisBoot !== '' && h.bootId !== thisBoot) return false;
  const started = processStartTime(h.pid);
  if (started !== null) return h.startTime === null || started === h.startTime;
  if (existsSync('/proc/self/stat')) return false; // /proc works, and has no such live process
  try {
    process.kill(h.pid, 0); // no /proc here: kill(0) is all there is
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // it exists, and is another user's
  }
}

/** The rule for a bare pid (a spool or claim name carries no more): it exists and is not a zombie. */
export function isProcessAlive(pid: number): boolean {
  return isHolderAlive({ pid, bootId: null, startTime: null });
}
