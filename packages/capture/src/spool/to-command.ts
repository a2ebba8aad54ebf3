import type { FinishedCommand } from '../finished-command.ts';
import { recordTimes, type SpoolRecord } from './record-format.ts';

/** A spool record as the command `planCapture` stores; `fileMtimeUs` dates records of clockless shells. */
export function recordToCommand(record: SpoolRecord, fileMtimeUs: bigint): FinishedCommand {
  const { startUs, endUs } = recordTimes(record, fileMtimeUs);
  return {
    cmd: record.cmd,
    exitCode: record.exitCode,
    startUs,
    endUs,
    cwd: record.cwd,
    sessionId: record.sessionId,
    shell: record.shell,
    shellPid: record.pid,
  };
}

/**
 * The environment privacy rules and the client id are judged in, for one record: the drainer
 * serves every shell of this root, so the launching shell's own `BIRD_CLIENT_ID` must not leak
 * onto another shell's rows. `BIRD_DISABLED` was already honoured by the hook (nothing spooled).
 */
export function recordEnv(base: NodeJS.ProcessEnv, record: SpoolRecord): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  delete env.BIRD_DISABLED;
  delete env.BIRD_CLIENT_ID;
  if (record.clientId !== null) env.BIRD_CLIENT_ID = record.clientId;
  return env;
}
