import { join } from 'node:path';
import { oneOf, parseFlags } from '../args.ts';
import type { CliContext } from '../context.ts';
import { renderHook, SHELLS } from '../hook-script.ts';
import { installRoot, readShellFile } from '../shell-files.ts';
import { USAGE } from '../usage.ts';

/**
 * `bird hook zsh|bash|fish`: prints the hook for `eval "$(bird hook zsh)"`, followed by its Tab
 * completion (an eval'ed hook cannot find the completion file beside it, as a sourced one does).
 */
export async function run(args: string[], ctx: CliContext): Promise<void> {
  const { positionals } = parseFlags(args, {}, USAGE.hook, { min: 1, max: 1 });
  const shell = oneOf('the shell', positionals[0]!, SHELLS);
  const hook = renderHook(shell, readShellFile(shell, 'hook'), join(installRoot(), 'packages', 'capture', 'dist', 'bird-capture.cjs'));
  ctx.stdout.write(hook + readShellFile(shell, 'completion'));
}
