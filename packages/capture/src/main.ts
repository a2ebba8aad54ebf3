// bird-capture: the process the shell hooks start. The hot path: parse flags, apply privacy,
// write one file, exit. Nothing else loads (no DuckDB in parquet mode).
import { appendFileSync } from 'node:fs';
import { BirdError, birdLayout, describeError, ensureRoot, resolveBirdRoot, resolveClientId } from '@bird/core';
import { ParquetRecordWriter } from '@bird/writer-parquet';
import { parseCaptureFlags } from './flags.ts';
import { planCapture } from './record-command.ts';

const nowUs = () => BigInt(Date.now()) * 1000n;

async function main(argv: string[]): Promise<void> {
  process.umask(0o077);
  const layout = birdLayout(resolveBirdRoot(process.env));
  const command = parseCaptureFlags(argv, nowUs, () => process.cwd());
  const config = ensureRoot(layout);
  const plan = planCapture(command, { env: process.env, config, clientId: resolveClientId(process.env, config.client_id) });
  if (!plan.invocation || !plan.session) return;
  if (config.storage.mode !== 'parquet') {
    throw new BirdError(`this store is in ${config.storage.mode} mode, which bird-capture cannot write yet; re-create it with \`bird init --mode parquet\`.`);
  }
  const writer = new ParquetRecordWriter(layout);
  writer.registerSessionSync(plan.session);
  writer.writeInvocationSync(plan.invocation);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = describeError(error);
  process.stderr.write(`bird-capture: ${message}\n`);
  try {
    const layout = birdLayout(resolveBirdRoot(process.env));
    appendFileSync(layout.errorsLog, `${new Date().toISOString()} bird-capture: ${message}\n`, { mode: 0o600 });
  } catch {
    // the root itself may be what is broken; stderr already has the message
  }
  process.exitCode = error instanceof BirdError ? error.exitCode : 1;
});
