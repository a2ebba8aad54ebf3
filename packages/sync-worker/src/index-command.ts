// `bird-sync index`: the history index rebuilt from the store, as a process of its own. `bird
// history` starts it detached when the index cannot answer and the store is too large to rebuild
// while a person waits; a user may run it too.
import { birdLayout, ensureRoot, parseCommandLine, resolveBirdRoot } from '@bird/core';
import { refreshHistoryIndex } from '@bird/store';
import type { CommandIO } from './compact-command.ts';
import { INDEX_SPEC } from './command-specs.ts';

export async function runIndex(args: readonly string[], io: CommandIO, prefix: string): Promise<number> {
  parseCommandLine(INDEX_SPEC, args, prefix);
  const layout = birdLayout(resolveBirdRoot(io.env));
  ensureRoot(layout);
  // Another rebuild running (a second `bird history` started one too) does the same work: leave it.
  const problem = await refreshHistoryIndex(layout, { wait: false });
  if (problem === null) return 0;
  io.stderr.write(`${prefix}: ${problem}\n`);
  return 1;
}
