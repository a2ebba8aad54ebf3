// bird: the command users type. Dispatches to one module per command (see cli.ts).
import { runCli } from './cli.ts';
import type { Output } from './context.ts';

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

// `bird sql … | head` closes the pipe early; that is not an error worth a message.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  process.stderr.write(`bird: cannot write the output (${error.code ?? error.message}); check where stdout goes (a full disk?).\n`);
  process.exit(1);
});

process.umask(0o077);
runCli(process.argv.slice(2), {
  env: process.env,
  stdout: output(process.stdout),
  stderr: output(process.stderr),
  cwd: process.cwd(),
}).then((code) => {
  process.exitCode = code;
});
