/** What a shell knows about a command once it has finished. */
export interface FinishedCommand {
  readonly cmd: string;
  readonly exitCode: number | null;
  /** Microseconds since the Unix epoch. */
  readonly startUs: bigint;
  /** Null when the shell could not tell how long it ran (fish, for a command cut off by a closing terminal). */
  readonly endUs: bigint | null;
  /** Where the command started. */
  readonly cwd: string;
  readonly sessionId: string;
  readonly shell: string | null;
  /** PID of the shell, when known; stored with the session. */
  readonly shellPid?: number | null;
}
