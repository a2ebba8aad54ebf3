/**
 * A finished `bird run` into the store: the command's row as a typed command gets it (capture's
 * planCapture: the privacy rules, the session, the client id), then what it printed. Blobs go to
 * disk first, then the redo record (run-pending.ts), then the rows through the storage mode's
 * append (command first, outputs after), then the record goes; all under the blobs lock, which
 * `bird forget` takes to delete blobs no row names.
 */
import { BirdError, ensureRoot, outputIgnored, resolveClientId, userOptOut, waitForLock, type BirdLayout } from '@bird/core';
import { BLOBS_LOCK_WAIT_MS, writeBlob } from '@bird/core/output-blobs';
import { planCapture } from '@bird/capture/record-command';
import type { FinishedCommand } from '@bird/capture/finished-command';
import { planOutputs, type CapturedStream } from '@bird/capture/record-output';
import { appendCommands, StoreBusy } from '@bird/store/append';
import { clearPending, readPending, writePending } from './run-pending.ts';


export interface RecordedRun {
  /** The command's id, or null when the privacy rules kept it out. */
  readonly id: string | null;
  readonly outputs: number;
}

export async function recordRun(layout: BirdLayout, env: NodeJS.ProcessEnv, command: FinishedCommand, streams: readonly CapturedStream[], warn: (message: string) => void): Promise<RecordedRun> {
  if (userOptOut(command.cmd, env)) return { id: null, outputs: 0 };
  const config = ensureRoot(layout);
  const plan = planCapture(command, { env, config, clientId: resolveClientId(env, config.client_id) });
  if (!plan.invocation || !plan.session) return { id: null, outputs: 0 };
  // `[capture] output_ignore`: the command is stored, what it printed is not.
  const outputs = planOutputs(plan.invocation, outputIgnored(command.cmd, config.capture.output_ignore) ? [] : streams);
  const captured = { invocation: plan.invocation, session: plan.session, outputs: outputs.rows };

  const lock = await waitForLock(layout.blobsLock, BLOBS_LOCK_WAIT_MS);
  if (!lock) throw new BirdError(`another bird held ${layout.blobsLock} for ${BLOBS_LOCK_WAIT_MS / 1000} s; run \`bird doctor\` if this lasts.`);
  try {
    await finishDeadRuns(layout, warn);
    for (const blob of outputs.blobs) writeBlob(layout, blob.contentHash, blob.bytes);
    const pending = writePending(layout, captured);
    const { problems } = await appendCommands(layout, config, [captured]);
    // The rows are stored; a history index that could not be told is said, not failed on.
    for (const problem of problems) warn(problem);
    clearPending(pending);
  } finally {
    lock.release();
  }
  return { id: plan.invocation.id, outputs: outputs.rows.length };
}

/** Writes again the rows of runs killed while storing them (held: the blobs lock). */
async function finishDeadRuns(layout: BirdLayout, warn: (message: string) => void): Promise<void> {
  const config = ensureRoot(layout);
  for (const { path, command } of readPending(layout, warn)) {
    try {
      await appendCommands(layout, config, [command], { redo: true });
    } catch (error) {
      // A compaction is running: the next run finishes it.
      if (error instanceof StoreBusy) return;
      throw error;
    }
    clearPending(path);
  }
}
