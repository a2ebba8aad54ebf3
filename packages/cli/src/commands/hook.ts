import { join } from 'node:path';
import { parseCommand } from '../args.ts';
import { COMMAND_SPECS } from '../command-specs.ts';
import type { CliContext } from '../context.ts';
import { renderHook } from '../hook-script.ts';
import { installRoot, readShellFile } from '../shell-files.ts';

/**
 * `bird hook zsh|bash|fish`: prints the hook for `eval "$(bird hook zsh)"`, followed by its Tab
 * completion (an eval'ed hook cannot find the completion file beside it, as a sourced one does).
 */
export async function run(args: string[], ctx: CliContext): Promise<void> {
  const shell = parseCommand(COMMAND_SPECS.hook, args).operands[0]!;
  const hook = renderHook(shell, readShellFile(shell, 'hook'), join(installRoot(), 'packages', 'capture', 'dist', 'bird-capture.cjs'));
  ctx.stdout.write(hook + readShellFile(shell, 'completion'));
}
