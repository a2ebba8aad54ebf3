// bird-capture with the apache-arrow + parquet-wasm encoder, for bench/capture-start.mjs only.
// Same flags, privacy, rows, file names and atomic rename as packages/capture/src/main.ts;
// only the encoder differs.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import {
  BirdError,
  INVOCATIONS,
  SESSIONS,
  birdLayout,
  describeError,
  ensureRoot,
  localPartitionDir,
  resolveBirdRoot,
  resolveClientId,
  writeFileAtomic,
} from '@bird/core';
import { parseCaptureFlags } from '../packages/capture/src/flags.ts';
import { planCapture } from '../packages/capture/src/record-command.ts';
import { encodeParquetWithArrow } from './arrow-encode.ts';

function main(argv: string[]): void {
  process.umask(0o077);
  const layout = birdLayout(resolveBirdRoot(process.env));
  const command = parseCaptureFlags(argv, () => BigInt(Date.now()) * 1000n, () => process.cwd());
  const config = ensureRoot(layout);
  const plan = planCapture(command, { env: process.env, config, clientId: resolveClientId(process.env, config.client_id) });
  if (!plan.invocation || !plan.session) return;

  const key = createHash('sha256').update(plan.session.session_id).digest('hex').slice(0, 32);
  const marker = join(layout.dbDir, 'sessions-seen', key);
  if (!existsSync(marker)) {
    const path = join(localPartitionDir(layout, 'sessions', plan.session.date), `${key}.parquet`);
    writeFileAtomic(path, encodeParquetWithArrow(SESSIONS, [plan.session]), { tmpDir: layout.tmp });
    mkdirSync(join(layout.dbDir, 'sessions-seen'), { recursive: true, mode: 0o700 });
    closeSync(openSync(marker, 'a', 0o600));
  }
  const path = join(localPartitionDir(layout, 'invocations', plan.invocation.date), `${plan.invocation.id}.parquet`);
  writeFileAtomic(path, encodeParquetWithArrow(INVOCATIONS, [plan.invocation]), { tmpDir: layout.tmp });
}

try {
  main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`bird-capture (arrow): ${describeError(error)}\n`);
  process.exitCode = error instanceof BirdError ? error.exitCode : 1;
}
