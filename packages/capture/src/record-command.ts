import {
  contentUuidv7,
  decideCapture,
  executableOf,
  shortHostname,
  utcDateOfMicros,
  type BirdConfig,
  type CaptureDecision,
  type InvocationRow,
  type SessionRow,
} from '@bird/core';
import type { FinishedCommand } from './finished-command.ts';

export interface CaptureContext {
  readonly env: NodeJS.ProcessEnv;
  readonly config: BirdConfig;
  readonly clientId: string;
}

export interface PlannedCapture {
  readonly decision: CaptureDecision;
  readonly invocation: InvocationRow | null;
  readonly session: SessionRow | null;
}

/**
 * Turns a finished command into the rows to store, applying the privacy rules first.
 * Deterministic (besides its inputs it reads only this machine's host name): the id is derived
 * from the command's content, so planning the same command again (a retry after a crash)
 * yields the same id and the write stays exactly-once.
 */
export function planCapture(command: FinishedCommand, context: CaptureContext): PlannedCapture {
  const decision = decideCapture(command.cmd, context.env, { ignore: context.config.capture.ignore });
  if (!decision.capture) return { decision, invocation: null, session: null };

  const startMs = Number(command.startUs / 1000n);
  const date = utcDateOfMicros(command.startUs);
  const identity = `${command.sessionId}\0${command.startUs}\0${command.cmd}`;
  const durationUs = command.endUs === null ? -1n : command.endUs - command.startUs;
  const host = shortHostname();
  const invocation: InvocationRow = {
    id: contentUuidv7(startMs, identity),
    session_id: command.sessionId,
    timestamp: command.startUs,
    duration_ms: durationUs >= 0n ? Number(durationUs / 1000n) : null,
    cwd: command.cwd,
    cmd: decision.cmd,
    executable: executableOf(decision.cmd),
    exit_code: command.exitCode,
    client_id: context.clientId,
    hostname: host,
    shell: command.shell,
    date,
  };
  const session: SessionRow = {
    session_id: command.sessionId,
    client_id: context.clientId,
    invoker: command.shell,
    invoker_pid: command.shellPid ?? null,
    registered_at: command.startUs,
    cwd: command.cwd,
    date,
  };
  return { decision, invocation, session };
}
