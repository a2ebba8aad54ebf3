// Runs a process and SIGKILLs it at a random instant within what the last run let finish took.
// A fixed window fails on machines that differ tenfold in speed: too wide and most runs finish
// before the kill, too narrow and the kills never reach the run's end. So the window follows the
// machine: it starts at a guess, and every run that finishes sets it to that run's time.
import { spawn, type SpawnOptions } from 'node:child_process';

export class KillWindow {
  /** Runs killed before they ended. */
  killed = 0;

  constructor(private wholeMs = 900) {}

  /** Runs `command args`; true if it was killed before it ended. */
  async run(command: string, args: readonly string[], options: SpawnOptions): Promise<boolean> {
    const started = Date.now();
    const child = spawn(command, args, { stdio: 'ignore', ...options });
    const timer = setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * this.wholeMs));
    const signal = await new Promise<string | null>((resolve) => child.on('close', (_code, sig) => resolve(sig)));
    clearTimeout(timer);
    if (signal === 'SIGKILL') this.killed++;
    else this.wholeMs = Math.max(1, Date.now() - started);
    return signal === 'SIGKILL';
  }
}
