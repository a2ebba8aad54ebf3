// Real interactive shells in a pty for the capture tests: a temp HOME and BIRD_ROOT, a prompt
// that carries a marker, and "type a line, wait for the next prompt" as the only step.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import * as pty from 'node-pty';
import { EMPTY_INDEX, decodeSnapshot, loadHistory, mergeRows, readJournal, rowAt } from '@bird/history-index';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CAPTURE_BUNDLE = join(REPO, 'packages/capture/dist/bird-capture.cjs');
export const SHELLS = ['zsh', 'bash', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** Printed by every prompt; never typed in a command. */
export const MARK = '@P@';

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `bird-${prefix}-`));
}

/** The environment a test shell starts with: nothing from this machine's shell setup. */
export function shellEnv(home: string, root: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    HOME: home,
    BIRD_ROOT: root,
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    TERM: 'xterm-256color',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    USER: process.env.USER ?? 'tester',
    // Drainers exit soon after the test's last command instead of lingering 10 s.
    BIRD_DRAIN_LINGER_MS: '1500',
    ...extra,
  };
  return env;
}

const argv: Record<Shell, string[]> = {
  zsh: ['-f', '-i'],
  bash: ['--norc', '--noprofile', '-i'],
  fish: ['--no-config', '-i'],
};

function setupLine(shell: Shell, hook: boolean, source = hook ? `source ${join(REPO, 'hooks', `bird.${shell}`)}` : 'true'): string {
  if (shell === 'fish') return `function fish_prompt; printf '${MARK.slice(0, 1)}''${MARK.slice(1)} '; end; function fish_greeting; end; ${source}`;
  // The marker is split in the typed line so the echo of this line is not a prompt.
  return `PS1='${MARK.slice(0, 1)}''${MARK.slice(1)} '; PS2='> '; ${source}`;
}

export class ShellSession {
  output = '';
  private prompts = 0;
  private waiters: (() => void)[] = [];
  exited = false;

  private constructor(
    readonly shell: Shell,
    readonly term: pty.IPty,
  ) {
    term.onData((data) => {
      this.output += data;
      this.prompts = this.output.split(MARK).length - 1;
      for (const wake of this.waiters.splice(0)) wake();
    });
    term.onExit(() => {
      this.exited = true;
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /**
   * `args`: instead of the usual no-rc-files flags (a test that needs what they turn off, e.g.
   * fish's saved history). `source`: the line that loads the hook, typed as given, instead of
   * sourcing this checkout's hook by its absolute path.
   */
  static async start(
    shell: Shell,
    env: Record<string, string>,
    options: { hook?: boolean; cwd?: string; args?: string[]; source?: string } = {},
  ): Promise<ShellSession> {
    const cwd = options.cwd ?? env.HOME!;
    if (!existsSync(cwd)) mkdirSync(cwd, { recursive: true });
    const term = pty.spawn(shell, options.args ?? argv[shell], { name: 'xterm-256color', cols: 200, rows: 50, cwd, env });
    const session = new ShellSession(shell, term);
    await session.until(() => session.output.length > 0 || session.exited, 'the shell to start');
    const before = session.prompts;
    term.write(`${setupLine(shell, options.hook ?? true, options.source)}\r`);
    await session.until(() => session.prompts > before, 'the first prompt');
    return session;
  }

  /** Types `line` (Enter included) and waits for the prompt after it; returns what it printed. */
  async run(line: string, timeoutMs = 30_000): Promise<string> {
    const before = this.prompts;
    const from = this.output.length;
    this.term.write(`${line}\r`);
    await this.until(() => this.prompts > before, `the prompt after ${JSON.stringify(line.slice(0, 60))}`, timeoutMs);
    return this.output.slice(from);
  }

  /** Types `line`, waits until `seen` shows up in the output, then presses Ctrl-C and waits for the prompt. */
  async interrupt(line: string, seen: () => boolean): Promise<void> {
    const before = this.prompts;
    this.term.write(`${line}\r`);
    await this.until(seen, `${line} to start`);
    this.term.write('\x03');
    await this.until(() => this.prompts > before, `the prompt after Ctrl-C of ${line}`);
  }

  /** True when a direct child of the shell runs the program `name` (read from /proc). */
  hasChild(name: string): boolean {
    for (const pid of readdirSync('/proc')) {
      if (!/^[0-9]+$/.test(pid)) continue;
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (comm === name && ppid === this.term.pid) return true;
      } catch {
        // exited while we looked
      }
    }
    return false;
  }

  /**
   * Types a word at the prompt, then abandons the line with Ctrl-C, and waits until the shell
   * has drawn its fresh prompt. The word goes first because fish, on an empty line, reacts to
   * Ctrl-C with no output at all: there would be nothing to wait for, and in zsh and fish alike
   * the key is handled asynchronously, so a line typed before the shell got to it could be
   * thrown away with it.
   */
  async ctrlCAtPrompt(word = 'abandoned-line'): Promise<void> {
    const from = this.output.length;
    this.term.write(word);
    await this.until(() => this.output.indexOf(word, from) >= 0, `${word} to be echoed`);
    const before = this.prompts;
    // As a person would, Ctrl-C again if nothing happened: fish, busy redrawing the line it just
    // echoed, can let one pass unseen for seconds.
    for (let tries = 1; ; tries++) {
      this.term.write('\x03');
      try {
        await this.until(() => this.prompts > before, 'a prompt after Ctrl-C', 2000);
      } catch (error) {
        if (tries >= 10) throw error;
        continue;
      }
      // A Ctrl-C that was only late still comes: let it fall on lines that are never recorded
      // (a leading space), one per extra press, not on the next real command.
      for (let extra = 1; extra < tries; extra++) await this.run(' true');
      return;
    }
  }

  /** Closes the terminal: the pty master goes away and the shell gets SIGHUP. */
  close(): void {
    if (this.exited) return;
    // UnixTerminal.destroy closes the master side, then sends SIGHUP, as a closing window does.
    const destroyable = this.term as unknown as { destroy?: () => void };
    if (typeof destroyable.destroy === 'function') destroyable.destroy();
    else this.term.kill('SIGHUP');
  }

  /**
   * Closes only the master side of the pty: the kernel hangs the terminal up and sends the shell
   * one SIGHUP, as when a terminal window closes without signalling the shell itself. (close()
   * also sends one of its own, like terminals that do; bash can die of that second one before
   * its EXIT trap runs.)
   */
  hangUp(): void {
    if (this.exited) return;
    (this.term as unknown as { _socket: { destroy(): void } })._socket.destroy();
  }

  async until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (this.exited && !condition()) throw new Error(`${this.shell} exited while waiting for ${what}; output:\n${this.output.slice(-2000)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what} in ${this.shell}; output:\n${this.output.slice(-2000)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

export interface Row {
  id: string;
  session_id: string;
  timestamp_us: bigint;
  duration_ms: number | null;
  cwd: string | null;
  cmd: string;
  exit_code: number | null;
  shell: string | null;
}

/**
 * How many invocations are stored: one per one-row file, plus the rows of files a compaction
 * merged (`c-*.parquet`; the drainer starts one by itself once a partition has enough files).
 */
async function countStored(root: string): Promise<number> {
  const dir = join(root, 'db/data/local/invocations');
  if (!existsSync(dir)) return 0;
  let n = 0;
  const merged: string[] = [];
  for (const part of readdirSync(dir)) {
    for (const f of readdirSync(join(dir, part))) {
      if (!f.endsWith('.parquet') || f.startsWith('_bird')) continue;
      if (f.startsWith('c-')) merged.push(join(dir, part, f));
      else n++;
    }
  }
  if (merged.length === 0) return n;
  return (await readRows(root)).length;
}

/** Every stored invocation, read from the Parquet files with DuckDB, oldest first. */
export async function readRows(root: string): Promise<Row[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await readRowsOnce(root);
    } catch (error) {
      // A compaction deleted a file the glob had listed: read again.
      if (attempt > 20 || !/No such file|No files found/i.test((error as Error).message)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function readRowsOnce(root: string): Promise<Row[]> {
  const dir = join(root, 'db/data/local/invocations');
  if (!existsSync(dir) || !readdirSync(dir).some((part) => readdirSync(join(dir, part)).some((f) => f.endsWith('.parquet')))) return [];
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const glob = join(root, 'db/data/local/invocations/*/*.parquet').replaceAll("'", "''");
    const reader = await conn.runAndReadAll(
      `SELECT id, session_id, epoch_us(timestamp) AS timestamp_us, duration_ms, cwd, cmd, exit_code, shell FROM read_parquet('${glob}') ORDER BY timestamp, id`,
    );
    return reader.getRowObjects().map((r) => ({
      id: String(r.id),
      session_id: String(r.session_id),
      timestamp_us: BigInt(r.timestamp_us as bigint),
      duration_ms: r.duration_ms === null ? null : Number(r.duration_ms),
      cwd: r.cwd === null ? null : String(r.cwd),
      cmd: String(r.cmd),
      exit_code: r.exit_code === null ? null : Number(r.exit_code),
      shell: r.shell === null ? null : String(r.shell),
    }));
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** Waits until a stored row satisfies `found` (the drainer works in the background). */
export async function waitForRow(root: string, found: (row: Row) => boolean, what: string, timeoutMs = 30_000): Promise<Row[]> {
  const deadline = Date.now() + timeoutMs;
  let lastCount = -1;
  let rows: Row[] = [];
  for (;;) {
    const count = await countStored(root);
    if (count !== lastCount) {
      lastCount = count;
      rows = await readRows(root);
      if (rows.some(found)) return rows;
    }
    if (Date.now() > deadline) {
      const seen = rows.map((r) => JSON.stringify(r.cmd.slice(0, 60))).join(', ');
      throw new Error(`timed out waiting for ${what} to be stored (${count} rows so far: ${seen})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/** Waits until at least `n` invocation files exist. */
export async function waitForCount(root: string, n: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const count = await countStored(root);
    if (count >= n || Date.now() > deadline) return count;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Pids of the drainers (`bird-capture --drain`) working for `root`, read from /proc. */
export function drainerPids(root: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('--drain')) continue;
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(`BIRD_ROOT=${root}`)) pids.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return pids;
}

/** Waits until no drainer works for `root` any more (each lingers, then exits). */
export async function waitForNoDrainer(root: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (drainerPids(root).length > 0) {
    if (Date.now() > deadline) throw new Error(`drainers of ${root} still running after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The ids the history index holds (what search, `bird history` and `bird stats` read), before
 * any rebuild: the snapshot (empty, or none, in these tests: the store starts empty) and the
 * journals the drainers append to, which must then hold every stored row. A line a killed
 * drainer cut short makes readers rebuild (loadHistory says `damaged`); here its row must still
 * be journaled whole by the drainer that redid the batch, so the whole lines alone are read.
 */
export function indexedIds(root: string): string[] {
  const dir = join(root, 'db', 'history-index');
  const loaded = loadHistory(dir);
  if (loaded.ok) return Array.from({ length: loaded.index.size }, (_, r) => rowAt(loaded.index, r).id);
  if ((loaded.why !== 'missing' && loaded.why !== 'damaged') || !existsSync(dir)) throw new Error(`the history index cannot be read: ${loaded.why} (${loaded.detail})`);
  let base = EMPTY_INDEX;
  if (existsSync(join(dir, 'snapshot.bhi'))) base = decodeSnapshot(readFileSync(join(dir, 'snapshot.bhi'))).index;
  const rows = readdirSync(dir)
    .filter((n) => n === 'journal.jsonl' || n.endsWith('.absorbing'))
    .flatMap((n) => readJournal(join(dir, n)).rows);
  // As a reader merges them: a row journaled twice (a redone batch) is one row.
  const index = mergeRows(base, rows);
  return Array.from({ length: index.size }, (_, r) => rowAt(index, r).id);
}
