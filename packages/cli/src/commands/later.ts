import { BirdError, USAGE_EXIT } from '@bird/core';
import type { CommandRun } from '../cli.ts';

/** `bird push|pull` belong to the sync issue; until then they say so and exit 2. */
export function notYet(name: 'push' | 'pull'): CommandRun {
  return async () => {
    throw new BirdError(`\`bird ${name}\` is not available in this version yet.`, { exitCode: USAGE_EXIT });
  };
}
