/**
 * A finished `bird run` into the store: the command's row as a typed command gets it (capture's
 * planCapture: the privacy rules, the session, the client id), then what it printed. Blobs go to
 * disk first, then the redo record (run-pending.ts), then the rows through the storage mode's
 * append (command first, outputs after, then what they say: events), then the record goes; all under the blobs lock, which
 * `bird forget` takes to delete blobs no row names. With `[project] record = true`, the same
 * rows go to the project's store too.
 */
import { BirdError, ensureRoot, isDiskFull, outputIgnored, resolveClientId, userOptOut, waitForLock, type BirdConfig, type BirdLayout, type EventRow } from '@bird/core';
import { planEvents } from '@bird/core/events';
import { BLOBS_LOCK_WAIT_MS, writeBlob } from '@bird/core/output-blobs';
import { planCapture } from '@bird/capture/record-command';
import type { FinishedCommand } from '@bird/capture/finished-command';
import { planOutputs, type CapturedStream } from '@bird/capture/record-output';
import { appendCommands, StoreBusy } from '@bird/store/append';
import { clearPending, readPending, writePending } from '@bird/store/run-pending';
import { recordIntoProject } from './project-record.ts';


export interface RecordedRun {
  /** The command's id, or null when the privacy rules kept it out. */
  readonly id: string | null;
  readonly outputs: number;
  readonly events: number;
}

/** A run as planned for storing: its rows, and the blobs its outputs name. */
interface PlannedRun {
  readonly captured: Parameters<typeof appendCommands>[2][number];
  readonly blobs: readonly { readonly contentHash: string; readonly bytes: Uint8Array }[];
}

/**
 * Stores a finished run in the user's store and, with `[project] record = true`, in the
 * project's store of the folder it ran in too, with the same rows (one id: read together, they
 * are one command). The user's store is written first; the project's failing is said, never
 * thrown (see project-record.ts).
 */
export async function recordRun(layout: BirdLayout, env: NodeJS.ProcessEnv, command: FinishedCommand, streams: readonly CapturedStream[], warn: (message: string) => void): Promise<RecordedRun> {
  if (userOptOut(command.cmd, env)) return { id: null, outputs: 0, events: 0 };
  const config = ensureRoot(layout);
  const plan = planCapture(command, { env, config, clientId: resolveClientId(env, config.client_id) });
  if (!plan.invocation || !plan.session) return { id: null, outputs: 0, events: 0 };
  // `[capture] output_ignore`: the command is stored, what it printed is not.
  const outputs = planOutputs(plan.invocation, outputIgnored(command.cmd, config.capture.output_ignore) ? [] : streams);
  // Parsed here, after the command ended and before bird exits: 1-4 ms per 100 KB, ~40 ms for
  // 1 MiB of dense diagnostics (bench/events-parse.md), against 140-230 ms for a whole `bird run`.
  const events = eventsOf(plan.invocation, outputs.stored, warn);
  const planned: PlannedRun = { captured: { invocation: plan.invocation, session: plan.session, outputs: outputs.rows, events }, blobs: outputs.blobs };

  await storeRun(layout, config, planned, warn);
  if (config.project.record) await recordIntoProject(layout, command.cwd, env.HOME, (project) => storeRun(project, ensureRoot(project), planned, warn), warn);
  return { id: plan.invocation.id, outputs: outputs.rows.length, events: events.length };
}

/**
 * Writes a planned run into one store: blobs to disk first, then the redo record, then the rows,
 * then the record goes; all under the store's blobs lock.
 */
async function storeRun(layout: BirdLayout, config: BirdConfig, planned: PlannedRun, warn: (message: string) => void): Promise<void> {
  const lock = await waitForLock(layout.blobsLock, BLOBS_LOCK_WAIT_MS);
  if (!lock) throw new BirdError(`another bird held ${layout.blobsLock} for ${BLOBS_LOCK_WAIT_MS / 1000} s; run \`bird doctor\` if this lasts.`);
  try {
    await finishDeadRuns(layout, warn);
    const captured = { ...planned.captured, outputs: storedOutputs(planned, writeBlobs(layout, planned.blobs), layout, warn) };
    const pending = writePending(layout, captured);
    const { problems } = await appendCommands(layout, config, [captured]);
    // The rows are stored; a history index that could not be told is said, not failed on.
    for (const problem of problems) warn(problem);
    clearPending(pending);
  } finally {
    lock.release();
  }
}

/**
 * Writes the blobs (each atomically: a failed write leaves none of it); returns the hashes of
 * those a full disk kept out. Any other failure stops the run's storing, as before.
 */
function writeBlobs(layout: BirdLayout, blobs: PlannedRun['blobs']): Set<string> {
  const unwritten = new Set<string>();
  for (const blob of blobs) {
    try {
      writeBlob(layout, blob.contentHash, blob.bytes);
    } catch (error) {
      if (!isDiskFull(error)) throw error;
      unwritten.add(blob.contentHash);
    }
  }
  return unwritten;
}

/**
 * The run's outputs rows less those whose blob a full disk kept out, said once: a full disk
 * takes what the command printed, not the command (its row is a few hundred bytes).
 */
function storedOutputs(planned: PlannedRun, unwritten: ReadonlySet<string>, layout: BirdLayout, warn: (message: string) => void) {
  const rows = planned.captured.outputs ?? [];
  if (unwritten.size === 0) return rows;
  const kept = rows.filter((r) => !(r.storage_type === 'blob' && r.content_hash !== null && unwritten.has(r.content_hash)));
  const lost = rows.length - kept.length;
  warn(`the disk that holds ${layout.blobs} is full, so what the command printed on ${lost === 1 ? 'one stream was' : `${lost} streams were`} not stored (the command was): free some space.`);
  return kept;
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

/** What the outputs say; none, said once, if parsing fails in a way no parser's guard caught: the command and its outputs are stored all the same. */
function eventsOf(invocation: Parameters<typeof planEvents>[0], stored: Parameters<typeof planEvents>[1], warn: (message: string) => void): EventRow[] {
  try {
    return planEvents(invocation, stored);
  } catch (error) {
    warn(`the command's output could not be parsed into events (${(error as Error).message}); it is stored without them, \`bird events --reparse ${invocation.id}\` tries again.`);
    return [];
  }
}
