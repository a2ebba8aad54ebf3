/** What a shell knows about a command once it has finished. */
export interface FinishedCommand {
  readonly cmd: string;
  readonly exitCode: number | null;
  /** Microseconds since the Unix epoch. */
  readonly startUs: bigint;
  readonly endUs: bigint;
  /** Where the command started. */
  readonly cwd: string;
  readonly sessionId: string;
  readonly shell: string | null;
  /** PID of the shell, when known; stored with the session. */
  readonly shellPid?: number | null;
}
