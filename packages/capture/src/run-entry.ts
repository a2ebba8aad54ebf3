import { appendFileSync, fstatSync, statSync } from 'node:fs';
import { BirdError, birdLayout, describeError, resolveBirdRoot } from '@bird/core';

/**
 * Runs one of bird-capture's entry points (main.ts, drain-main.ts) and reports a failure in
 * one line, to stderr when someone may read it and to errors.log, then sets the exit code.
 * `toStderr` is false for the drainer: its stderr is errors.log itself (the hooks send it
 * there, for crashes Node reports on its own), and writing the message to both would log it twice.
 */
export function runEntry(main: () => Promise<void>, { toStderr }: { toStderr: boolean }): void {
  main().catch((error: unknown) => {
    const message = describeError(error);
    if (toStderr) process.stderr.write(`bird-capture: ${message}\n`);
    try {
      const layout = birdLayout(resolveBirdRoot(process.env));
      // A caller that sends stderr to errors.log (as the hooks do) has the line there already.
      if (!(toStderr && isSameFile(2, layout.errorsLog))) appendFileSync(layout.errorsLog, `${new Date().toISOString()} bird-capture: ${message}\n`, { mode: 0o600 });
    } catch {
      // the root itself may be what is broken; stderr already has the message
    }
    process.exitCode = error instanceof BirdError ? error.exitCode : 1;
  });
}

function isSameFile(fd: number, path: string): boolean {
  try {
    const [a, b] = [fstatSync(fd), statSync(path)];
    return a.dev === b.dev && a.ino === b.ino;
  } catch {
    // no errors.log to compare with (or fd 2 closed): write the line there too
    return false;
  }
}
