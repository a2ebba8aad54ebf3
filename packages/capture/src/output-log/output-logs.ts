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

/** Consumed bytes are punched out of a log once there are this many (a hole per prompt would cost a process per command). */
const PUNCH_MIN_BYTES = 1 << 20;
const READ_BYTES = 1 << 20;

interface LogState {
  readonly cutter: OutputLogCutter;
  /** Bytes of the log read into the cutter. */
  offset: number;
  /** Bytes already punched out. */
  punched: number;
}

export class OutputLogs {
  private readonly logs = new Map<string, LogState>();
  private readonly unclaimed = new Map<string, CutOutput>();

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

  /** A command's output by its key (output-marks.ts), once. */
  take(key: string): CutOutput | undefined {
    const output = this.unclaimed.get(key);
    this.unclaimed.delete(key);
    return output;
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
      state = { cutter: new OutputLogCutter(this.maxBytes), offset: resumeOffset(path), punched: 0 };
      state.punched = state.offset;
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
      const size = fstatSync(fd).size;
      const buffer = Buffer.alloc(READ_BYTES);
      while (state.offset < size) {
        const n = readSync(fd, buffer, 0, Math.min(READ_BYTES, size - state.offset), state.offset);
        if (n === 0) break;
        state.offset += n;
        for (const output of state.cutter.push(buffer.subarray(0, n))) this.keep(output);
      }
    } catch (error) {
      this.log(`could not read the output log ${path} (${(error as Error).message}); outputs printed since are not stored.`);
    } finally {
      closeSync(fd);
    }
    if (!recorderAlive) {
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
    if (!state.cutter.midCommand && state.offset - state.punched >= PUNCH_MIN_BYTES) this.release(path, state);
  }

  private keep(output: CutOutput): void {
    this.unclaimed.set(output.key, output);
    if (this.unclaimed.size > UNCLAIMED_MAX) this.unclaimed.delete(this.unclaimed.keys().next().value!);
  }

  /**
   * Gives the consumed bytes back to the disk: the log's blocks before them become a hole
   * (util-linux fallocate --punch-hole; the file keeps its length, the recorder appends on).
   * Where the offset is remembered (`.pos`), a later drainer resumes there instead of at 0.
   */
  private release(path: string, state: LogState): void {
    const upTo = state.offset - (state.offset % 4096);
    const punch = spawnSync('fallocate', ['--punch-hole', '--offset', '0', '--length', String(upTo), path], { stdio: 'ignore' });
    if (punch.status !== 0) {
      this.log(`could not free the consumed part of the output log ${path} (fallocate --punch-hole failed); it grows until its shell exits.`);
    }
    state.punched = state.offset;
    try {
      writeFileSync(`${path}.pos`, `${state.offset}\n`);
    } catch {
      // a later drainer reads the log from its start: outputs already stored are found again and skipped by their keys
    }
  }
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
