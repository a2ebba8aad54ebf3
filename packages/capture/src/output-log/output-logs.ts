// The drainer's side of passive output capture: reads the recorders' logs (spool/output/*.log,
// written by script(1) under each hooked shell), cuts them into commands' outputs, and hands
// each output to the spool record with the same key. The log is freed as it is consumed (its
// blocks punched out, so the recorder, which appends, never writes into a hole it does not
// expect), and removed once its recorder is gone.
import { closeSync, constants, fstatSync, openSync, readdirSync, readFileSync, readSync, unlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { isProcessAlive } from '@bird/core';
import { OutputLogCutter, type CutOutput } from './output-log-cutter.ts';

/** `<recorder pid>.<anything>.log`: the pid says when the log is finished with. */
const LOG_NAME = /^([1-9][0-9]{0,9})\.[A-Za-z0-9_-]{1,100}\.log$/;

/** Outputs cut but not yet claimed by a record are dropped past this many (commands kept out by the privacy rules have none). */
const UNCLAIMED_MAX = 64;

/**
 * An output no record claimed, in a log unchanged for this long, was printed by a command that
 * has no record (kept out by the privacy rules, or stored before its output reached the log): it
 * no longer holds its log's bytes from being freed. Measured from the log's mtime, not from when
 * this drainer cut it, because drainers come and go every few seconds and each cuts it anew.
 */
const UNCLAIMED_HOLD_MS = 60_000;

/** Consumed bytes are punched out of a log once there are this many (a hole per prompt would cost a process per command). */
const PUNCH_MIN_BYTES = 1 << 20;
const READ_BYTES = 1 << 20;

/** A cut output until the row naming it is stored (`settle`). */
interface HeldOutput {
  readonly output: CutOutput;
  /** The log it was cut from: its bytes are not freed while the output waits. */
  readonly log: string;
  /** Its place among the outputs cut from its log. */
  readonly seq: number;
  /** Handed to a record whose store has not yet succeeded. */
  taken: boolean;
}

interface LogState {
  readonly cutter: OutputLogCutter;
  /** Bytes of the log read into the cutter. */
  offset: number;
  /** Bytes already punched out. */
  punched: number;
  /** Outputs cut from it so far, and the place of the latest one a record took. */
  cut: number;
  lastTaken: number;
  mtimeMs: number;
}

export class OutputLogs {
  private readonly logs = new Map<string, LogState>();
  /** Outputs cut and not yet stored, by key. */
  private readonly held = new Map<string, HeldOutput>();

  constructor(
    private readonly folder: string,
    private readonly maxBytes: number,
    private readonly log: (message: string) => void,
  ) {}

  /** Reads what every log gained since the last call. Never throws: a log that cannot be read is only missed. */
  collect(): void {
    let names: string[];
    try {
      names = readdirSync(this.folder);
    } catch {
      return; // no recorder ever ran under this root
    }
    for (const name of names) {
      const match = LOG_NAME.exec(name);
      if (match) this.collectOne(name, Number(match[1]));
    }
  }

  /**
   * A command's output by its key (output-marks.ts). It stays held, and is handed out again,
   * until `settle` says the rows naming it are stored: a store that fails (a full disk, a
   * compaction publishing) is retried with the output, not without it.
   */
  take(key: string): CutOutput | undefined {
    const held = this.held.get(key);
    if (!held) return undefined;
    held.taken = true;
    const state = this.logs.get(held.log);
    if (state) state.lastTaken = Math.max(state.lastTaken, held.seq);
    return held.output;
  }

  /** These outputs are stored: their bytes in the log may be freed. */
  settle(keys: Iterable<string>): void {
    const logs = new Set<string>();
    for (const key of keys) {
      const held = this.held.get(key);
      if (held) logs.add(held.log);
      this.held.delete(key);
    }
    // Freed now, not at the next command: the output printed last may be the biggest.
    for (const log of logs) {
      const state = this.logs.get(log);
      if (state) this.freeConsumed(join(this.folder, log), log, state);
    }
  }

  /** Some log has this command started and not ended: its end is on its way to the log. */
  get anyMidCommand(): boolean {
    return [...this.logs.values()].some((l) => l.cutter.midCommand);
  }

  private collectOne(name: string, recorderPid: number): void {
    const path = join(this.folder, name);
    // Asked before the last read: a recorder that writes its last bytes and exits is read whole.
    const recorderAlive = isProcessAlive(recorderPid);
    let state = this.logs.get(name);
    if (!state) {
      const offset = resumeOffset(path);
      state = { cutter: new OutputLogCutter(this.maxBytes, offset), offset, punched: offset, cut: 0, lastTaken: -1, mtimeMs: 0 };
      this.logs.set(name, state);
    }
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDONLY);
    } catch {
      // Removed since it was listed (its recorder is gone and another drainer cleaned up).
      this.logs.delete(name);
      return;
    }
    try {
      const stat = fstatSync(fd);
      const size = stat.size;
      state.mtimeMs = stat.mtimeMs;
      const buffer = Buffer.alloc(READ_BYTES);
      while (state.offset < size) {
        const n = readSync(fd, buffer, 0, Math.min(READ_BYTES, size - state.offset), state.offset);
        if (n === 0) break;
        state.offset += n;
        for (const output of state.cutter.push(buffer.subarray(0, n))) this.keep(output, name, state);
      }
      if (!recorderAlive) for (const output of state.cutter.finish(scriptTrailerLength(fd, size))) this.keep(output, name, state);
    } catch (error) {
      this.log(`could not read the output log ${path} (${(error as Error).message}); outputs printed since are not stored.`);
    } finally {
      closeSync(fd);
    }
    // A finished log is removed once read whole, unless an output cut from it is not stored yet
    // (a later pass removes it then; a drainer killed before that cuts the output again).
    if (!recorderAlive && this.heldFrom(name) === Infinity) {
      // `.starting` is the hook's (see hooks/bird.zsh): left behind when a hang-up killed the shell waiting on the recorder.
      for (const file of [path, `${path}.pos`, `${path}.starting`]) {
        try {
          unlinkSync(file);
        } catch {
          // already gone
        }
      }
      this.logs.delete(name);
      return;
    }
    this.freeConsumed(path, name, state);
  }

  /** Frees what no output still needs, once that is worth a process (PUNCH_MIN_BYTES). */
  private freeConsumed(path: string, name: string, state: LogState): void {
    const free = Math.min(state.cutter.neededFrom, this.heldFrom(name));
    if (free - state.punched >= PUNCH_MIN_BYTES) this.release(path, state, free);
  }

  private keep(output: CutOutput, log: string, state: LogState): void {
    this.held.set(output.key, { output, log, seq: state.cut++, taken: false });
    const unclaimed = [...this.held].filter(([, h]) => !h.taken);
    if (unclaimed.length > UNCLAIMED_MAX) this.held.delete(unclaimed[0]![0]);
  }

  /**
   * Where the first output cut from this log and not stored yet starts (Infinity: none). Freeing
   * the log (and recording where a later drainer resumes) past it would lose it to a drainer
   * killed before its store: the next drainer redoes the record and must find the output in the
   * log again. The bytes before it are free to go: a 50 MB output is given back to the disk
   * once it is stored, though the next command's output, cut already, waits for its own store.
   */
  private heldFrom(log: string): number {
    const state = this.logs.get(log);
    // A record taking a later output of the same shell means this one's record came and went without it.
    const recent = state !== undefined && Date.now() - state.mtimeMs < UNCLAIMED_HOLD_MS;
    let from = Infinity;
    for (const h of this.held.values()) {
      if (h.log === log && (h.taken || (recent && h.seq > state.lastTaken))) from = Math.min(from, h.output.start);
    }
    return from;
  }

  /**
   * Gives the consumed bytes back to the disk: the log's blocks before them become a hole
   * (util-linux fallocate --punch-hole; the file keeps its length, the recorder appends on).
   * Where the offset is remembered (`.pos`), a later drainer resumes there instead of at 0.
   */
  private release(path: string, state: LogState, free: number): void {
    const upTo = free - (free % 4096);
    const punch = spawnSync('fallocate', ['--punch-hole', '--offset', '0', '--length', String(upTo), path], { stdio: 'ignore' });
    if (punch.status !== 0) {
      this.log(`could not free the consumed part of the output log ${path} (fallocate --punch-hole failed); it grows until its shell exits.`);
    }
    state.punched = free;
    try {
      writeFileSync(`${path}.pos`, `${free}\n`);
    } catch {
      // a later drainer reads the log from its start: outputs already stored are found again and skipped by their keys
    }
  }
}

/** util-linux script(1) ends its log with `\nScript done on <date> [COMMAND_EXIT_CODE="7"]\n`: no command printed it. */
const SCRIPT_TRAILER = /\nScript done[^\n]{0,200}\n$/;

/** How many of the log's last bytes are script(1)'s closing line (0 when it ended without one: killed). */
function scriptTrailerLength(fd: number, size: number): number {
  const tail = Buffer.alloc(Math.min(size, 256));
  const n = readSync(fd, tail, 0, tail.length, size - tail.length);
  const match = SCRIPT_TRAILER.exec(tail.subarray(0, n).toString('latin1'));
  return match ? match[0].length : 0;
}

/** Where a drainer before this one stopped, from `<log>.pos`; 0 when unknown. */
function resumeOffset(path: string): number {
  try {
    const text = readFileSync(`${path}.pos`, 'utf8').trim();
    return /^[0-9]{1,15}$/.test(text) ? Number(text) : 0;
  } catch {
    // No `.pos` (no drainer freed any of it yet): from the start.
    return 0;
  }
}
