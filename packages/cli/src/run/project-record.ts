/**
 * `[project] record = true`: `bird run` inside a project with a store (core's project-store.ts)
 * writes the command into that store as well as the user's. The user's store has it already when
 * this runs; the project's is a second copy, so whatever keeps it from being written (a store
 * that is refused, read-only, full, a config.toml it cannot parse) is said in one warning and
 * never fails the run.
 */
import { findProjectStore, type BirdLayout } from '@bird/core';

export async function recordIntoProject(
  own: BirdLayout,
  cwd: string,
  home: string | undefined,
  store: (project: BirdLayout) => Promise<void>,
  warn: (message: string) => void,
): Promise<void> {
  const found = findProjectStore(cwd, own.root, home);
  if (found === null) return; // not inside a project: the switch has nothing to do here
  if (!found.found) {
    warn(`the command is stored in your store but not in the project's ([project] record): ${found.refused}.`);
    return;
  }
  try {
    await store(found.layout);
  } catch (error) {
    const why = (error as Error).message.split('\n')[0]!.replace(/\.$/, '');
    warn(`the command is stored in your store but not in the project store ${found.layout.root} ([project] record): ${why}.`);
  }
}
