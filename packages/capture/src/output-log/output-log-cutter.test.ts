import { describe, expect, it } from 'vitest';
import { cutOutputLog, OutputLogCutter } from './output-log-cutter.ts';
import { outputMark } from './output-marks.ts';

const C = (key: string) => outputMark('C', key);
const D = (key: string) => outputMark('D', key);
const A = 's1-1:100.5';
const B = 's1-1:101.25';
const INNER = 's2-7:100.9';

/** The log split at every given offset (a read boundary), so a mark can be cut anywhere. */
function splitAt(text: string, ...offsets: number[]): Buffer[] {
  const bytes = Buffer.from(text, 'latin1');
  const cuts = [0, ...offsets, bytes.length];
  return cuts.slice(1).map((end, i) => bytes.subarray(cuts[i], end));
}

type Seen = [key: string, text: string, byteLength: number, alternateScreen: boolean];
const seen = (chunks: Buffer[], max = 1 << 20): { outputs: Seen[]; midCommand: boolean } => {
  const { outputs, midCommand } = cutOutputLog(chunks, max);
  return { outputs: outputs.map((o) => [o.key, o.kept.toString('latin1'), o.byteLength, o.alternateScreen]), midCommand };
};

describe('cutOutputLog', () => {
  const twoCommands = `Script started\r\n$ ls\r\n${C(A)}a b\r\n${D(A)}\x1b]133;D;0\x07$ echo hi\r\n${C(B)}hi\r\n${D(B)}$ `;

  it.each<[string, Buffer[], Seen[], boolean]>([
    ['no marks at all: nothing, and nothing left open', splitAt('Script started\r\n$ ls\r\na b\r\n'), [], false],
    ['two commands read at once: each its own bytes, the prompts and typed lines left out', splitAt(twoCommands), [[A, 'a b\r\n', 5, false], [B, 'hi\r\n', 4, false]], false],
    ...Array.from({ length: 12 }, (_, i): [string, Buffer[], Seen[], boolean] => [
      `a read boundary ${i * 3 + 1} bytes into the first mark`,
      splitAt(twoCommands, twoCommands.indexOf('\x1b]6973;C') + i * 3 + 1),
      [[A, 'a b\r\n', 5, false], [B, 'hi\r\n', 4, false]],
      false,
    ]),
    ['every byte its own read', [...Buffer.from(twoCommands, 'latin1')].map((b) => Buffer.from([b])), [[A, 'a b\r\n', 5, false], [B, 'hi\r\n', 4, false]], false],
    ['a command still running: nothing yet, open', splitAt(`${C(A)}partial out`), [], true],
    ['a mark half read at the end: open', splitAt(`${C(A)}x${D(A)}`.slice(0, -4)), [], true],
    ['an end with no start (the log began mid-command): ignored', splitAt(`tail of it\r\n${D(A)}$ `), [], false],
    ['a nested shell: its command cut alone, its bytes in the outer one too', splitAt(`${C(A)}outer\r\n${C(INNER)}inner\r\n${D(INNER)}$ exit\r\n${D(A)}`), [[INNER, 'inner\r\n', 7, false], [A, 'outer\r\ninner\r\n$ exit\r\n', 22, false]], false],
    ['a nested shell killed before its end: closed by the outer end, not stored', splitAt(`${C(A)}o${C(INNER)}i${D(A)}`), [[A, 'oi', 2, false]], false],
    ['a full-screen program: flagged', splitAt(`${C(A)}\x1b[?1049h\x1b[Hdrawn\x1b[?1049l${D(A)}`), [[A, '\x1b[?1049h\x1b[Hdrawn\x1b[?1049l', 24, true]], false],
    ['the old alternate screen (47), its switch split across reads: flagged', splitAt(`${C(A)}ab\x1b[?47hx${D(A)}`, 20, 23), [[A, 'ab\x1b[?47hx', 9, true]], false],
    ['a look-alike mark that is not one of ours: kept as output', splitAt(`${C(A)}\x1b]6973;Z;nope\x07!${D(A)}`), [[A, '\x1b]6973;Z;nope\x07!', 15, false]], false],
    ['an unterminated look-alike longer than any mark: output, not waited for', splitAt(`${C(A)}\x1b]6973;C;${'x'.repeat(400)}`), [], true],
  ])('%s', (_name, chunks, outputs, midCommand) => {
    expect(seen(chunks)).toEqual({ outputs, midCommand });
  });

  it('keeps the head and the tail of a huge output, and its true size', () => {
    const body = `${'h'.repeat(1000)}${'m'.repeat(1_000_000)}${'t'.repeat(1000)}`;
    const chunks = splitAt(`${C(A)}${body}${D(A)}`, 5000, 65536, 500_000);
    const [out] = cutOutputLog(chunks, 2000).outputs;
    expect(out!.byteLength).toBe(body.length);
    expect(out!.kept.toString('latin1')).toBe(`${'h'.repeat(1000)}${'t'.repeat(1000)}`);
  });

  it('says from where the log is still needed: the outermost open command, a half-read mark, else the end', () => {
    const from = 1000;
    const cutter = new OutputLogCutter(1 << 20, from);
    const done = `${C(A)}a${D(A)}$ `;
    expect(cutter.push(Buffer.from(done, 'latin1')).map((o) => [o.key, o.start])).toEqual([[A, from]]);
    expect(cutter.neededFrom).toBe(from + done.length);
    cutter.push(Buffer.from(`${C(B)}b${C(INNER)}i\x1b]69`, 'latin1'));
    expect(cutter.neededFrom).toBe(from + done.length);
    const ended = cutter.push(Buffer.from(`73;D;${INNER}\x07`, 'latin1'));
    expect(ended.map((o) => [o.key, o.start])).toEqual([[INNER, from + done.length + C(B).length + 1]]);
    cutter.push(Buffer.from(`${D(B)}$ \x1b]6`, 'latin1'));
    const total = done.length + `${C(B)}b${C(INNER)}i${D(INNER)}${D(B)}$ \x1b]6`.length;
    expect(cutter.neededFrom).toBe(from + total - 3);
  });

  it.each<[string, string, Seen[]]>([
    ['nothing open: nothing', `${C(A)}a${D(A)}$ `, []],
    ['a command cut by the terminal closing: what it printed', `${C(A)}half of it`, [[A, 'half of it', 10, false]]],
    ['a nested shell open in an open command: innermost first', `${C(A)}o${C(INNER)}i`, [[INNER, 'i', 1, false], [A, 'oi', 2, false]]],
    ['a mark half written when it ended: its bytes are output', `${C(A)}x\x1b]69`, [[A, 'x\x1b]69', 5, false]]],
  ])('finish, when the log ends: %s', (_name, text, ended) => {
    const cutter = new OutputLogCutter(1 << 20);
    cutter.push(Buffer.from(text, 'latin1'));
    expect(cutter.finish().map((o) => [o.key, o.kept.toString('latin1'), o.byteLength, o.alternateScreen])).toEqual(ended);
    expect(cutter.midCommand).toBe(false);
  });
});
