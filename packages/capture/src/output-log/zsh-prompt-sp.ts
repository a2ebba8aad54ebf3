import type { CutOutput } from './output-log-cutter.ts';

/**
 * What zsh prints between a command's end and precmd (option PROMPT_SP, on by default): its
 * PROMPT_EOL_MARK (`%B%S%#%s%b`: a bold, reversed `%` or `#`), a row of spaces and `\r \r`, so
 * that output without a final newline is flagged and the prompt still starts on a new row. The
 * hook's end mark can only come after it (precmd is zsh's first hook), so it is cut off the
 * output here. A PROMPT_EOL_MARK of the user's own is left in.
 */
const PROMPT_SP = /(?:\x1b\[[0-9;]*m)*[#%](?:\x1b\[[0-9;]*m)* +\r \r$/;

/** `output` without the PROMPT_SP bytes zsh printed at its end. */
export function withoutZshPromptSp(output: CutOutput): CutOutput {
  const tail = output.kept.subarray(Math.max(0, output.kept.length - 1024)).toString('latin1');
  const match = PROMPT_SP.exec(tail);
  if (!match) return output;
  const cut = Buffer.byteLength(match[0], 'latin1');
  return { ...output, kept: output.kept.subarray(0, output.kept.length - cut), byteLength: output.byteLength - cut };
}
