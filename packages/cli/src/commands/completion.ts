import { loadConfig } from '@bird/core';
import { parseCommand } from '../args.ts';
import { COMMAND_SPECS } from '../command-specs.ts';
import { complete, completionLines } from '../completion.ts';
import type { CliContext } from '../context.ts';
import { layoutOf } from '../layout.ts';
import { readShellFile } from '../shell-files.ts';

/** `bird completion zsh|bash|fish`: prints the Tab completion script, for `source <(bird completion bash)`. */
export async function run(args: string[], ctx: CliContext): Promise<void> {
  const { operands } = parseCommand(COMMAND_SPECS.completion, args);
  ctx.stdout.write(readShellFile(operands[0]!, 'completion'));
}

/**
 * `bird __complete INDEX WORD…`, what the completion scripts run on Tab: the candidates for
 * WORD number INDEX (`bird` itself is word 0). Never fails loudly: a Tab prints nothing instead.
 */
export async function runComplete(args: string[], ctx: CliContext): Promise<void> {
  const index = Number(args[0]);
  if (!Number.isInteger(index) || index < 1) return;
  const remoteNames = () => {
    try {
      return loadConfig(layoutOf(ctx)).remotes.map((r) => r.name);
    } catch {
      // a broken config completes no names; the next real command reports it
      return [];
    }
  };
  ctx.stdout.write(completionLines(complete(args.slice(1), index, { remoteNames })));
}
