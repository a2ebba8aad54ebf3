// A shell must always exit when its terminal closes, whatever the hook is doing at that moment:
// the hang-up lands at random instants around a command and the prompt hook after it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHELLS, ShellSession, shellEnv, tempDir } from './shell-session.ts';

// BIRD_HANGUP_ROUNDS: more, to hunt for a rare hang locally.
const ROUNDS = Number(process.env.BIRD_HANGUP_ROUNDS) || 24;

/** Gone, or a zombie waiting to be reaped: either way no longer running. */
function exited(pid: number): boolean {
  if (!existsSync(`/proc/${pid}`)) return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

describe.each(SHELLS)('%s', (shell) => {
  it(`exits every time its terminal closes, in ${ROUNDS} rounds of hang-ups at random instants`, async () => {
    const home = tempDir(`hangup-${shell}-home`);
    const root = join(tempDir(`hangup-${shell}-root`), 'bird');
    const stuck: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const s = await ShellSession.start(shell, shellEnv(home, root));
      const pid = s.term.pid;
      await s.run(`echo round-${round}`);
      // Type a command, then hang up somewhere between its start and the prompt hook after it, or
      // while a long one runs (the hang-up must end it, and the shell with it, not wait for it).
      s.term.write(round % 4 === 0 ? 'sleep 30\r' : round % 4 === 1 ? 'sleep 0.01\r' : `echo next-${round}\r`);
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 40)));
      // Half the rounds as a window closing with its own SIGHUP, half as the kernel's alone.
      if (round % 2 === 0) s.close();
      else s.hangUp();
      const deadline = Date.now() + 10_000;
      while (!exited(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      if (!exited(pid)) {
        stuck.push(`round ${round}: pid ${pid} still running`);
        process.kill(pid, 'SIGKILL');
      }
    }
    expect(stuck).toEqual([]);
  }, 300_000);
});
