import type { CutOutput } from './output-log-cutter.ts';

/**
 * What fish writes to the terminal after its fish_preexec event (where the hook's start mark is
 * printed) and before the command runs: bracketed paste off, the window title (OSC 0), a colour
 * reset as the terminal's terminfo spells it (`\e[m\x0f` under tmux, `\e(B\e[m` for xterm-256color)
 * and a carriage return. It is fish's, not the command's: cut off the output's start here. Only a
 * run that starts with bracketed paste off or a title, or is exactly a reset and a carriage return
 * (fish without its config: no title, no bracketed paste): a colour at the start of an output
 * without them is the command's.
 */
const FISH_PREEXEC =
  /^(?:(?:\x1b\[\?2004l|\x1b\]0;[^\x07\x1b]*(?:\x07|\x1b\\))(?:\x1b\]0;[^\x07\x1b]*(?:\x07|\x1b\\)|\x1b\[[0-9;]*m|\x1b\(B|\x0f)*\r?|(?:\x1b\(B)?\x1b\[m\x0f?\r)/;

/** `output` without what fish printed before the command itself. */
export function withoutFishPreexecNoise(output: CutOutput): CutOutput {
  const head = output.kept.subarray(0, 4096).toString('latin1');
  const match = FISH_PREEXEC.exec(head);
  if (!match) return output;
  const cut = Buffer.byteLength(match[0], 'latin1');
  return { ...output, kept: output.kept.subarray(cut), byteLength: output.byteLength - cut };
}
