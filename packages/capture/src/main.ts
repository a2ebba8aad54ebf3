// bird-capture: the process the shell hooks start. The hot path: parse flags, apply privacy,
// write one file, exit. Nothing else loads (no DuckDB in parquet mode).
import { appendFileSync, fstatSync, statSync } from 'node:fs';
import { BirdError, birdLayout, describeError, ensureRoot, resolveBirdRoot, resolveClientId, userOptOut, type BirdLayout } from '@bird/core';
import { seedEmptyIndex } from '@bird/history-index';
import { CAPTURE_USAGE, parseCaptureFlags } from './flags.ts';
import { journalStored } from './journal-stored.ts';
import { openWriter } from './open-writer.ts';
import { planCapture } from './record-command.ts';
import { drainerOptionsFromEnv } from './spool/drainer-options.ts';
import { runDrainer } from './spool/drainer.ts';

const nowUs = () => BigInt(Date.now()) * 1000n;

/** The history index of a new store starts empty (see seedEmptyIndex); never a reason to fail a capture. */
function seedIndex(layout: BirdLayout): void {
  try {
    seedEmptyIndex(layout);
  } catch {
    // the first reader rebuilds it instead
  }
}

async function main(argv: string[]): Promise<void> {
  process.umask(0o077);
  const layout = birdLayout(resolveBirdRoot(process.env));
  if (argv[0] === '--drain') {
    // Internal mode the shell hooks start in the background; no terminal is attached, so a
    // closing terminal's SIGHUP (sent before setsid took effect, or by a shell) is ignored.
    process.on('SIGHUP', () => {});
    const config = ensureRoot(layout);
    seedIndex(layout);
    await runDrainer(layout, config, process.env, drainerOptionsFromEnv(process.env));
    return;
  }
  if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h')) {
    process.stdout.write(`${CAPTURE_USAGE}\nRecords one finished command into BIRD_ROOT (see the README); exit 0 also when privacy rules keep it out.\n`);
    return;
  }
  const command = parseCaptureFlags(argv, nowUs, () => process.cwd());
  if (userOptOut(command.cmd, process.env)) return;
  const config = ensureRoot(layout);
  seedIndex(layout);
  const plan = planCapture(command, { env: process.env, config, clientId: resolveClientId(process.env, config.client_id) });
  if (!plan.invocation || !plan.session) return;
  const writer = await openWriter(layout, config);
  try {
    await writer.registerSession(plan.session);
    await writer.writeInvocation(plan.invocation);
  } finally {
    await writer.close();
  }
  const problem = journalStored(layout, [plan.invocation]);
  if (problem) appendFileSync(layout.errorsLog, `${new Date().toISOString()} bird-capture: ${problem}\n`, { mode: 0o600 });
}

function isSameFile(fd: number, path: string): boolean {
  try {
    const [a, b] = [fstatSync(fd), statSync(path)];
    return a.dev === b.dev && a.ino === b.ino;
  } catch {
    return false;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = describeError(error);
  // A drainer's stderr is errors.log itself (the hooks send it there, for crashes Node reports
  // on its own): writing the message to both would log it twice.
  const toStderr = process.argv[2] !== '--drain';
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
