import { resolve } from 'node:path';
import { birdLayout, hookSettingsLine, resolveHookSettings } from '@bird/core';
import { parseCommand } from '../args.ts';
import { COMMAND_SPECS } from '../command-specs.ts';
import type { CliContext } from '../context.ts';
import { renderHook } from '../hook-script.ts';
import { layoutOf } from '../layout.ts';
import { installRoot, readShellFile } from '../shell-files.ts';

/**
 * `bird hook zsh|bash|fish`: prints the hook for `eval "$(bird hook zsh)"`, with this install's
 * layout and the settings config.toml gives now before it, and its Tab completion after it (an
 * eval'ed hook cannot find the files beside it, as a sourced one does).
 */
export async function run(args: string[], ctx: CliContext): Promise<void> {
  const shell = parseCommand(COMMAND_SPECS.hook, args).operands[0]!;
  const hook = renderHook(shell, readShellFile(shell, 'hook'), installRoot(), resolveHookSettings(layoutOf(ctx)));
  ctx.stdout.write(hook + readShellFile(shell, 'completion'));
}

/**
 * `bird __hook-settings ROOT`, run by a hook being sourced when db/hook-settings does not match
 * config.toml (see core's hook-settings.ts): the settings line, also written there for the next
 * shell. Never fails: a shell must start whatever is wrong (the defaults then).
 */
export async function runHookSettings(args: string[], ctx: CliContext): Promise<void> {
  const layout = args[0] ? birdLayout(resolve(ctx.cwd, args[0])) : layoutOf(ctx);
  ctx.stdout.write(`${hookSettingsLine(resolveHookSettings(layout))}\n`);
}
