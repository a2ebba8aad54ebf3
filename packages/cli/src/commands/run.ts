import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { isatty } from 'node:tty';
import { loadConfig, OUTPUT_MAX_BYTES, usageError } from '@bird/core';
import type { CapturedStream, OutputStream } from '@bird/capture/record-output';
import { usageOf } from '../args.ts';
import { errorLine } from '../cli.ts';
import { COMMAND_SPECS } from '../command-specs.ts';
import { warn, type CliContext } from '../context.ts';
import { layoutOf } from '../layout.ts';
import { KeptStream } from '@bird/capture/kept-stream';
import { recordRun } from '../run/record-run.ts';
import { runSession } from '../run/run-session.ts';
import { commandLine } from '../shell-quote.ts';

const nowUs = () => BigInt(Date.now()) * 1000n;

/** What the shells say for a command they cannot start: 127 not found, 126 not runnable. */
const START_FAILURE_STATUS: Record<string, number> = { ENOENT: 127, EACCES: 126, ENOEXEC: 126, EISDIR: 126 };

/** Signals a terminal sends the whole foreground group: the command gets them, bird stays to record. */
const FROM_THE_TERMINAL = ['SIGINT', 'SIGQUIT'] as const;
/** Signals sent to bird alone (a timeout, a service manager), passed on to the command. */
const PASSED_ON = ['SIGTERM', 'SIGHUP'] as const;

interface Passed {
  readonly status: number;
  readonly streams: CapturedStream[];
  readonly startFailure?: string;
}

/**
 * `bird run [--] CMD [ARG…]`: runs CMD, its output passing through unchanged, then stores it with
 * what it printed, and exits with its status (128+N when a signal N ended it). A stream that is a
 * terminal is left to the command as it is (it sees a terminal: colours, progress bars, prompts)
 * and is not stored; a stream that is not (a pipe, a file: cron, CI) is passed through and stored.
 */
export async function run(args: string[], ctx: CliContext): Promise<number | void> {
  // bird's own options would come before the command; it has none, so a word that looks like one
  // is a mistake, unless `--` says that the command starts there.
  if (args[0]?.startsWith('-') && args[0] !== '--') throw usageError(`unknown option ${args[0]}; usage: ${usageOf(COMMAND_SPECS.run)}`);
  const argv = args[0] === '--' ? args.slice(1) : args;
  if (argv.length === 0) throw usageError(`name the command to run; usage: ${usageOf(COMMAND_SPECS.run)}`);
  const layout = layoutOf(ctx);
  // A store bird cannot read or write never keeps the command from running (cron and CI wait for
  // its status): it is said once, after, as the reason it is not stored.
  let maxBytes = OUTPUT_MAX_BYTES;
  let unusable: unknown;
  try {
    maxBytes = loadConfig(layout).capture.output_max_bytes ?? OUTPUT_MAX_BYTES;
  } catch (error) {
    unusable = error;
  }
  const startUs = nowUs();
  const passed = await runPassingThrough(argv, ctx, maxBytes);
  const endUs = nowUs();
  if (passed.startFailure) ctx.stderr.write(`bird: cannot run ${JSON.stringify(argv[0])} (${passed.startFailure}); check its name and that it is on PATH and executable.\n`);
  const session = runSession(ctx.env, startUs);
  try {
    if (unusable !== undefined) throw unusable;
    await recordRun(
      layout,
      ctx.env,
      { cmd: commandLine(argv), exitCode: passed.status, startUs, endUs, cwd: ctx.cwd, sessionId: session.sessionId, shell: session.shell, shellPid: session.shellPid },
      passed.streams,
      (message) => warn(ctx, message),
    );
  } catch (error) {
    // The command ran: its status is what a script waits for; that it is not stored is said.
    warn(ctx, `the command ran but is not stored: ${errorLine(error)}`);
  }
  return passed.status === 0 ? undefined : passed.status;
}

function runPassingThrough(argv: readonly string[], ctx: CliContext, maxBytes: number): Promise<Passed> {
  const captureOut = !isatty(1);
  const captureErr = !isatty(2);
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['inherit', captureOut ? 'pipe' : 'inherit', captureErr ? 'pipe' : 'inherit'], cwd: ctx.cwd, env: ctx.env });
  const kept: { stream: OutputStream; keeper: KeptStream }[] = [];
  const pass = (from: NodeJS.ReadableStream | null, to: NodeJS.WriteStream, stream: OutputStream) => {
    if (!from) return;
    const keeper = new KeptStream(maxBytes);
    kept.push({ stream, keeper });
    let closed = false;
    // Where the output goes was closed (`| head`): the command is told as it would be without
    // bird, by its pipe closing, and what it printed until then is kept.
    to.removeAllListeners('error');
    to.on('error', () => {
      closed = true;
      from.removeAllListeners('data');
      (from as NodeJS.ReadableStream & { destroy(): void }).destroy();
    });
    from.on('data', (chunk: Buffer) => {
      keeper.push(chunk);
      if (closed || to.write(chunk)) return;
      from.pause();
      to.once('drain', () => from.resume());
    });
  };
  pass(child.stdout, process.stdout, 'stdout');
  pass(child.stderr, process.stderr, 'stderr');

  const ignore = () => {};
  const passOn = (signal: NodeJS.Signals) => child.kill(signal);
  for (const s of FROM_THE_TERMINAL) process.on(s, ignore);
  for (const s of PASSED_ON) process.on(s, passOn);
  return new Promise((resolve) => {
    let startFailure: string | undefined;
    child.on('error', (error: NodeJS.ErrnoException) => {
      startFailure = error.code ?? error.message;
    });
    child.on('close', (code, signal) => {
      for (const s of FROM_THE_TERMINAL) process.off(s, ignore);
      for (const s of PASSED_ON) process.off(s, passOn);
      const status = startFailure !== undefined ? (START_FAILURE_STATUS[startFailure] ?? 126) : signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1);
      resolve({ status, startFailure, streams: kept.map(({ stream, keeper }) => ({ stream, kept: keeper.kept(), byteLength: keeper.byteLength })) });
    });
  });
}
