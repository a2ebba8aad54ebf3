// A real interactive shell in a tmux pane, for tests that need a whole terminal: keys go in with
// `send-keys`, and what a person would see comes back from `capture-pane`. Each test file uses
// its own tmux server (`-L`), so a test never sees or kills another's panes.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { MARK, REPO, type Shell } from './shell-session.ts';

const ARGS: Record<Shell, string[]> = {
  zsh: ['-f', '-i'],
  bash: ['--norc', '--noprofile', '-i'],
  fish: ['--no-config', '-i'],
};

/** Typed first: a prompt with the marker (split, so the echoed line is not a prompt), then the hook. */
function setupLine(shell: Shell): string {
  const prompt = `'${MARK.slice(0, 1)}''${MARK.slice(1)} '`;
  const source = `source ${join(REPO, 'hooks', `bird.${shell}`)}`;
  // fish's autosuggestions would draw remembered text after the cursor, on the line we read back.
  if (shell === 'fish') return `function fish_prompt; printf ${prompt}; end; function fish_greeting; end; set -g fish_autosuggestion_enabled 0; ${source}`;
  return `PS1=${prompt}; PS2='> '; ${source}`;
}

export class TmuxShell {
  private constructor(
    readonly shell: Shell,
    private readonly socket: string,
    readonly target: string,
  ) {}

  private tmux(args: string[]): string {
    const result = spawnSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`tmux ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
    return result.stdout;
  }

  /** Starts `shell` in a new 120×40 session of the tmux server `socket`, with exactly `env`, and sources the hook. */
  /**
   * `statusFile`: the shell's exit status is written there when it exits (tmux's own
   * `pane_dead_status` is sometimes never learned when the pty closes before the shell is reaped).
   */
  static async start(shell: Shell, socket: string, name: string, env: Record<string, string>, cwd: string, { statusFile }: { statusFile?: string } = {}): Promise<TmuxShell> {
    const s = new TmuxShell(shell, socket, name);
    const vars = Object.entries({ ...env, TERM: 'tmux-256color' }).map(([k, v]) => `${k}=${v}`);
    const command = ['env', '-i', ...vars, shell, ...ARGS[shell]];
    const pane = statusFile === undefined ? command : ['sh', '-c', '"$@"; echo "$?" > "$0"', statusFile, ...command];
    // A session closed just before was maybe the server's last: the server is exiting, and a new
    // session asked of it in that instant fails with "server exited unexpectedly". Asked again, a
    // new server starts.
    for (let attempt = 1; ; attempt++) {
      try {
        s.tmux(['new-session', '-d', '-s', name, '-x', '120', '-y', '40', '-c', cwd, ...pane]);
        break;
      } catch (error) {
        if (attempt >= 5 || !/server exited unexpectedly/.test((error as Error).message)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
    // The shell's own first prompt has no marker: wait until it has drawn something.
    await s.waitFor(() => s.history().trim() !== '', 'the shell to start');
    await s.run(setupLine(shell));
    return s;
  }

  /** Everything the pane has shown, scrollback included, wrapped lines joined. */
  history(): string {
    return this.tmux(['capture-pane', '-p', '-J', '-S', '-', '-t', this.target]);
  }

  /** What the pane shows now, one string per row (trailing blanks trimmed by tmux). */
  screen(): string[] {
    return this.tmux(['capture-pane', '-p', '-t', this.target]).replace(/\n$/, '').split('\n');
  }

  private prompts(): number {
    return this.history().split(MARK).length - 1;
  }

  /** Text typed literally (no Enter). */
  type(text: string): void {
    this.tmux(['send-keys', '-t', this.target, '-l', '--', text]);
  }

  /** Named keys: `Enter`, `Escape`, `C-r`… */
  press(...keys: string[]): void {
    this.tmux(['send-keys', '-t', this.target, ...keys]);
  }

  /** Types `line` and Enter, and waits for the prompt after it. */
  async run(line: string): Promise<void> {
    const before = this.prompts();
    this.type(line);
    this.press('Enter');
    await this.waitFor(() => this.prompts() > before, `the prompt after ${JSON.stringify(line.slice(0, 60))}`);
  }

  /** Presses Enter on whatever the command line holds, and waits for the next prompt. */
  async enter(): Promise<void> {
    const before = this.prompts();
    this.press('Enter');
    await this.waitFor(() => this.prompts() > before, 'the prompt after Enter');
  }

  /** The row of the last prompt on the screen, and what follows the marker on it (the command line). */
  commandLine(): { row: number; text: string } {
    const rows = this.screen();
    for (let row = rows.length - 1; row >= 0; row--) {
      const at = rows[row]!.indexOf(MARK);
      if (at >= 0) return { row, text: rows[row]!.slice(at + MARK.length).trim() };
    }
    return { row: -1, text: '' };
  }

  /**
   * Waits until the last prompt on the screen holds `text` (and is on `row`, when given: while a
   * search is drawn, bash blanks its prompt row, so the last prompt seen is an older one).
   */
  async waitForCommandLine(text: string, row?: number): Promise<number> {
    let line = this.commandLine();
    await this.waitFor(() => ((line = this.commandLine()), line.text === text && (row === undefined || line.row === row)), `the command line ${JSON.stringify(text)}`);
    return line.row;
  }

  /** Polls the screen until `pattern` matches it (its rows joined by newlines); returns the rows. */
  async waitForScreen(pattern: RegExp, timeoutMs = 20_000): Promise<string[]> {
    let rows: string[] = [];
    await this.waitFor(() => pattern.test((rows = this.screen()).join('\n')), `${pattern} on the screen`, timeoutMs);
    return rows;
  }

  async waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} in ${this.shell}; the screen:\n${this.screen().join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  close(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-session', '-t', this.target]);
  }
}
