// Whether a process is a live drainer of a given root: asked by drainers of each other's claims,
// by a drainer of the marker before it leads, and by `bird doctor` of the drainer the marker
// names. No heavy imports.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isHolderAlive, parseHolderStamp, readBootId, type Holder } from '@bird/core';
import { DRAINER_MARKER } from './spool-names.ts';

/**
 * What a drainer writes into `spool/drainer.pid`: its holder stamp without the start time,
 * `<pid> <boot id>`, the form the hooks write and read (`read -r pid boot`). A third field would
 * land in `boot` in the hooks of shells started before it, and those would start a drainer at
 * every prompt.
 */
export function drainerMarkerStamp(): string {
  return `${process.pid} ${readBootId()}\n`;
}

/** The holder `spool/drainer.pid` names, or null when there is none or it names none. */
export function readDrainerMarker(spoolDir: string): Holder | null {
  try {
    return parseHolderStamp(readFileSync(join(spoolDir, DRAINER_MARKER), 'utf8'));
  } catch {
    // no marker, or one removed while read: no drainer is known to be alive
    return null;
  }
}

/**
 * Alive by the one rule (core's process-liveness.ts), and really a drainer of this root. The
 * marker and claim names carry no start time (a claim name holds only the drainer's pid, and
 * the hook writes the marker with `$!`), so the rule alone cannot tell a drainer from whatever
 * got its pid since, the drainer of another root included: its command line must hold
 * `--drain <root>` (the hooks give the root there). A drainer started without a root (an older
 * hook) is taken at its word. Without /proc there is no command line to read, and the rule's
 * kill(0) is all there is, as in the hooks.
 */
export function isDrainerAlive(holder: Holder | number, root?: string): boolean {
  const h = typeof holder === 'number' ? { pid: holder, bootId: null, startTime: null } : holder;
  if (!isHolderAlive(h)) return false;
  if (!existsSync('/proc/self/cmdline')) return true;
  try {
    const args = readFileSync(`/proc/${h.pid}/cmdline`, 'utf8').split('\0');
    const at = args.indexOf('--drain');
    if (at === -1) return false;
    const given = args[at + 1];
    return root === undefined || given === undefined || given === '' || resolve(given) === root;
  } catch {
    return false; // it exited just now
  }
}
