// bird-capture: records one finished command. The hot path: parse flags, apply privacy, write
// one file, exit. Nothing else loads (no DuckDB in parquet mode, no drainer: `--drain` is
// drain-main.ts, which the loader the build writes runs instead of this).
import { appendErrorsLog, birdLayout, ensureRoot, resolveBirdRoot, resolveClientId, userOptOut } from '@bird/core';
import { CAPTURE_USAGE, parseCaptureFlags } from './flags.ts';
import { appendCommands } from '@bird/store/append';
import { planCapture } from './record-command.ts';
import { runEntry } from './run-entry.ts';
import { seedIndex } from './seed-index.ts';

const nowUs = () => BigInt(Date.now()) * 1000n;

async function capture(argv: string[]): Promise<void> {
  process.umask(0o077);
  const layout = birdLayout(resolveBirdRoot(process.env));
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
  const { problems } = await appendCommands(layout, config, [{ invocation: plan.invocation, session: plan.session }]);
  for (const problem of problems) appendErrorsLog(layout, 'bird-capture', problem);
}

runEntry(() => capture(process.argv.slice(2)), { toStderr: true });
