// bird: the command users type. Dispatches to one module per command (see cli.ts).
import { isatty } from 'node:tty';
import { runCli } from './cli.ts';
import type { Output } from './context.ts';

/** A stdout that cannot be written is one sentence and exit 1; a pipe closed early (`| head`) is not an error. */
function failOutput(error: NodeJS.ErrnoException): never {
  if (error.code === 'EPIPE') process.exit(0);
  process.stderr.write(`bird: cannot write the output (${error.code ?? error.message}); check where stdout goes (a full disk?).\n`);
  process.exit(1);
}

function output(stream: NodeJS.WriteStream): Output {
  return {
    write: (text) => void stream.write(text),
    get isTTY() {
      return stream.isTTY === true;
    },
    get columns() {
      return stream.columns;
    },
  };
}

// Writing to /dev/null is not an error, however it was opened: `>/dev/null`, `1<>/dev/null`,
// Python's subprocess.DEVNULL and systemd's StandardOutput=null (the last three read-write).
// A stdout closed with `>&-` cannot be told from those: Node replaces a closed stdin, stdout or
// stderr with /dev/null opened read-write before any of bird runs, and nothing in /proc then
// tells the two apart. So a closed stdout is taken for /dev/null (output discarded, exit 0)
// rather than failing every caller that discards output through a read-write /dev/null.
process.stdout.on('error', failOutput);

process.umask(0o077);
runCli(process.argv.slice(2), {
  env: process.env,
  stdout: output(process.stdout),
  stderr: output(process.stderr),
  cwd: process.cwd(),
  stdinIsTTY: isatty(0),
}).then((code) => {
  process.exitCode = code;
});
