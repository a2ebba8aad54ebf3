import { accessSync, constants, statfsSync, statSync } from 'node:fs';
import type { BirdLayout } from './paths.ts';

/**
 * Why the shells cannot spool commands right now, or null when they can. The hooks keep such
 * commands in the shell's memory and write errors.log once; `bird` says it on every command
 * until it is fixed, since the user reads that and may never read errors.log.
 */
export function spoolProblem(layout: BirdLayout): string | null {
  const held = 'your shells keep the commands you type in memory and write them once it is fixed';
  let isDir: boolean;
  try {
    isDir = statSync(layout.spool).isDirectory();
  } catch {
    return null; // not made yet: the first capture makes it
  }
  if (!isDir) return `${layout.spool} is not a folder, so commands cannot be spooled: move it away (${held}).`;
  try {
    accessSync(layout.spool, constants.W_OK | constants.X_OK);
  } catch {
    // whatever the reason, the hooks cannot write there: say so, and how to fix it
    return `${layout.spool} is not writable, so commands cannot be spooled: make it writable (chmod u+rwx) (${held}).`;
  }
  try {
    const fs = statfsSync(layout.spool);
    const blocksLeft = process.getuid?.() === 0 ? fs.bfree : fs.bavail; // root may use the reserve
    const inodesLeft = fs.files === 0 ? 1 : fs.ffree; // some filesystems count no inodes at all
    if (blocksLeft === 0 || inodesLeft === 0) return `the disk that holds ${layout.spool} is full, so commands cannot be spooled: free some space (${held}).`;
  } catch {
    // statfs is not available here: nothing more to tell
  }
  return null;
}
