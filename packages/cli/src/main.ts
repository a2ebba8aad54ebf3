// bird: the command users type. Dispatches to one module per command (see cli.ts).
import { readFileSync, readlinkSync } from 'node:fs';
import { isatty } from 'node:tty';
import { runCli } from './cli.ts';
import type { Output } from './context.ts';

const CLOSED_STDOUT = 'stdout is closed, so the output cannot be written; run bird with stdout open (>/dev/null to discard it).';

/** A stdout that cannot be written is one sentence and exit 1; a pipe closed early (`| head`) is not an error. */
function failOutput(error: NodeJS.ErrnoException): never {
  if (error.code === 'EPIPE') process.exit(0);
  const sentence = error.code === 'EBADF' ? CLOSED_STDOUT : `cannot write the output (${error.code ?? error.message}); check where stdout goes (a full disk?).`;
  process.stderr.write(`bird: ${sentence}\n`);
  process.exit(1);
}

/**
 * Node replaces a stdin, stdout or stderr that is closed when it starts with /dev/null opened
 * read-write, before any of this runs, so writing to a closed stdout never fails with EBADF.
 * That read-write /dev/null is the trace it leaves (a shell's `>/dev/null` opens it write-only);
 * read from /proc, so elsewhere than Linux a closed stdout still goes unnoticed.
 */
function stdoutWasClosed(): boolean {
  try {
    if (readlinkSync('/proc/self/fd/1') !== '/dev/null') return false;
    const flags = /^flags:\s*([0-7]+)\s*$/m.exec(readFileSync('/proc/self/fdinfo/1', 'utf8'));
    const O_ACCMODE = 0o3;
    const O_RDWR = 0o2;
    return flags !== null && (parseInt(flags[1]!, 8) & O_ACCMODE) === O_RDWR;
  } catch {
    return false;
  }
}

function output(stream: NodeJS.WriteStream, checkClosed: boolean): Output {
  let checked = !checkClosed;
  return {
    write: (text) => {
      if (!checked) {
        checked = true;
        if (stdoutWasClosed()) failOutput(Object.assign(new Error('stdout is closed'), { code: 'EBADF' }));
      }
      stream.write(text);
    },
    get isTTY() {
      return stream.isTTY === true;
    },
    get columns() {
      return stream.columns;
    },
  };
}

process.stdout.on('error', failOutput);

process.umask(0o077);
runCli(process.argv.slice(2), {
  env: process.env,
  stdout: output(process.stdout, true),
  stderr: output(process.stderr, false),
  cwd: process.cwd(),
  stdinIsTTY: isatty(0),
}).then((code) => {
  process.exitCode = code;
});
