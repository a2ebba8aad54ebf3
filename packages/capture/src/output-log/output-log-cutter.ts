import { KeptStream } from '../kept-stream.ts';
import { OUTPUT_MARK_KEY, OUTPUT_MARK_MAX_BYTES, OUTPUT_MARK_PREFIX } from './output-marks.ts';

/** One command's output, cut out of a recorder's log between its two marks. */
export interface CutOutput {
  readonly key: string;
  /** Where its start mark begins in the log: the log is needed from here until the output is stored. */
  readonly start: number;
  /** Its head and tail (all of it when it fits `maxBytes`), without bird's marks. */
  readonly kept: Buffer;
  /** Every byte it printed, kept or not. */
  readonly byteLength: number;
  /** It switched the terminal to the alternate screen (vim, less, htop): its bytes are a screen's drawing, not output. */
  readonly alternateScreen: boolean;
}

/** Switching to the alternate screen: xterm's 1049 (save cursor too), 1047 and the old 47. */
const ALTERNATE_SCREEN = ['\x1b[?1049h', '\x1b[?1047h', '\x1b[?47h'].map((s) => Buffer.from(s, 'latin1'));
const ALTERNATE_LOOKBACK = 7;
const BEL = 0x07;

interface OpenOutput {
  readonly key: string;
  readonly start: number;
  readonly kept: KeptStream;
  alternateScreen: boolean;
  /** The last bytes seen, so that a switch split across two reads is still found. */
  last: Buffer;
}

/**
 * Cuts a recorder's log, read in chunks of any size, into the outputs of the commands marked
 * in it (output-marks.ts). Marks split across reads are joined (the unfinished end waits for the
 * next chunk); a command started inside another (a nested shell's) is cut on its own and its
 * bytes count for the outer one too; an end with no start (the log began mid-command) is
 * ignored, and an end closes the commands started inside it that never ended (a nested shell
 * killed). Memory stays near `maxBytes` per open command, however much it prints.
 */
export class OutputLogCutter {
  private readonly open: OpenOutput[] = [];
  private carry: Buffer = Buffer.alloc(0);
  /** The log offset just past the bytes pushed so far. */
  private position: number;

  /** `from`: the log offset of the first byte pushed (a drainer resuming where another stopped). */
  constructor(
    private readonly maxBytes: number,
    from = 0,
  ) {
    this.position = from;
  }

  /** The next bytes of the log → the outputs that ended in them. */
  push(chunk: Uint8Array): CutOutput[] {
    const data = this.carry.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.carry, chunk]);
    const dataStart = this.position - this.carry.length;
    this.position += chunk.length;
    this.carry = Buffer.alloc(0);
    const done: CutOutput[] = [];
    let pos = 0;
    for (;;) {
      const at = data.indexOf(OUTPUT_MARK_PREFIX, pos);
      if (at < 0) {
        const keepFrom = partialPrefixAt(data, pos);
        this.feed(data.subarray(pos, keepFrom));
        this.carry = Buffer.from(data.subarray(keepFrom));
        return done;
      }
      this.feed(data.subarray(pos, at));
      const end = data.indexOf(BEL, at + OUTPUT_MARK_PREFIX.length);
      const tooLong = (end < 0 ? data.length : end + 1) - at > OUTPUT_MARK_MAX_BYTES;
      if (end < 0 && !tooLong) {
        this.carry = Buffer.from(data.subarray(at));
        return done;
      }
      const mark = tooLong ? null : parseMark(data.subarray(at + OUTPUT_MARK_PREFIX.length, end).toString('latin1'));
      if (!mark) {
        // Not one of ours (a program printing look-alike bytes): output like any other.
        this.feed(data.subarray(at, at + 1));
        pos = at + 1;
        continue;
      }
      pos = end + 1;
      if (mark.phase === 'C') {
        this.open.push({ key: mark.key, start: dataStart + at, kept: new KeptStream(this.maxBytes), alternateScreen: false, last: Buffer.alloc(0) });
        continue;
      }
      const index = this.open.findLastIndex((o) => o.key === mark.key);
      if (index < 0) continue;
      const output = this.open[index]!;
      this.open.length = index;
      done.push({ key: output.key, start: output.start, kept: output.kept.kept(), byteLength: output.kept.byteLength, alternateScreen: output.alternateScreen });
    }
  }

  /**
   * The log has ended (its recorder is gone): the commands still open end here, innermost first,
   * with what they printed until the terminal went away (a window closed on a running build).
   * `trailerBytes`: the log's last bytes are the recorder's own, not printed by any command.
   */
  finish(trailerBytes = 0): CutOutput[] {
    this.feed(this.carry);
    this.carry = Buffer.alloc(0);
    const ended = this.open.reverse().map((o) => {
      const kept = o.kept.kept();
      const drop = Math.min(trailerBytes, kept.length);
      return { key: o.key, start: o.start, kept: kept.subarray(0, kept.length - drop), byteLength: o.kept.byteLength - drop, alternateScreen: o.alternateScreen };
    });
    this.open.length = 0;
    return ended;
  }

  /**
   * The log offset before which the cutter needs nothing more: the start of the outermost command
   * still open, or of a mark half read, else the end of what was pushed. A drainer that resumes
   * from here (after bytes before it were freed) cuts the same outputs.
   */
  get neededFrom(): number {
    return Math.min(this.position - this.carry.length, ...this.open.map((o) => o.start));
  }

  /** A command is being cut: its start was seen and its end not yet (or a mark is half read). */
  get midCommand(): boolean {
    return this.open.length > 0 || this.carry.length > 0;
  }

  private feed(bytes: Buffer): void {
    if (bytes.length === 0) return;
    for (const output of this.open) {
      output.kept.push(bytes);
      if (output.alternateScreen) continue;
      const window = Buffer.concat([output.last, bytes.subarray(0, ALTERNATE_LOOKBACK)]);
      output.alternateScreen = ALTERNATE_SCREEN.some((s) => window.includes(s) || bytes.includes(s));
      output.last = Buffer.from(bytes.length >= ALTERNATE_LOOKBACK ? bytes.subarray(bytes.length - ALTERNATE_LOOKBACK) : Buffer.concat([output.last, bytes]).subarray(-ALTERNATE_LOOKBACK));
    }
  }
}

function parseMark(body: string): { phase: 'C' | 'D'; key: string } | null {
  const phase = body[0];
  if ((phase !== 'C' && phase !== 'D') || body[1] !== ';') return null;
  const key = body.slice(2);
  return OUTPUT_MARK_KEY.test(key) ? { phase, key } : null;
}

/** Where a possible start of a mark begins at the end of `data` (its length when there is none). */
function partialPrefixAt(data: Buffer, from: number): number {
  const longest = Math.min(OUTPUT_MARK_PREFIX.length - 1, data.length - from);
  for (let n = longest; n > 0; n--) {
    if (data.subarray(data.length - n).equals(OUTPUT_MARK_PREFIX.subarray(0, n))) return data.length - n;
  }
  return data.length;
}

/** A whole log, given in chunks, cut at once: what the tests' tables check. */
export function cutOutputLog(chunks: readonly Uint8Array[], maxBytes: number): { outputs: CutOutput[]; midCommand: boolean } {
  const cutter = new OutputLogCutter(maxBytes);
  const outputs = chunks.flatMap((chunk) => cutter.push(chunk));
  return { outputs, midCommand: cutter.midCommand };
}
