import { shortHostname } from '@bird/core';
import { HOOK_MARKER, judgeHook, readAncestors } from '../doctor/hook-state.ts';

/** The variable the hooks export their session id in, beside BIRD_HOOKED. */
export const SESSION_VARIABLE = 'BIRD_SESSION';

const SESSION_ID = /^[A-Za-z0-9_-]{1,200}$/;

/** The session a `bird run` belongs to, and the shell it was typed in when that shell is hooked. */
export interface RunSession {
  readonly sessionId: string;
  readonly shell: string | null;
  readonly shellPid: number | null;
}

/**
 * Inside a hooked shell (the nearest shell above is the one that exported BIRD_HOOKED), that
 * shell's session; anywhere else (cron, CI, a script, a shell that did not source the hook) a
 * session of its own, named like the hooks name theirs.
 */
export function runSession(env: NodeJS.ProcessEnv, startUs: bigint): RunSession {
  const state = judgeHook(env[HOOK_MARKER], readAncestors());
  const joined = env[SESSION_VARIABLE];
  if ((state.kind === 'hooked' || state.kind === 'unverified') && joined !== undefined && SESSION_ID.test(joined)) {
    return { sessionId: joined, shell: state.shell, shellPid: state.pid };
  }
  const host = shortHostname().replace(/[^A-Za-z0-9_-]/g, '_');
  return { sessionId: `${host}-run-${process.pid}-${startUs}`, shell: null, shellPid: null };
}
