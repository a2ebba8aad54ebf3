// The shell files bird ships (hooks/bird.SHELL, hooks/completions/bird.SHELL), found from this bundle.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BirdError, INSTALL_LAYOUT, installRootOf } from '@bird/core';
import type { Shell } from './hook-script.ts';

/** The repository (or package tree) this bundle belongs to. */
export function installRoot(): string {
  return installRootOf(__dirname, INSTALL_LAYOUT.cliBundle);
}

/** The `shell` hook's file in this install. */
export function hookFile(shell: Shell): string {
  return join(installRoot(), INSTALL_LAYOUT.hooks, `bird.${shell}`);
}

/** The text of the `shell` hook or its Tab completion, or a sentence saying how to get it back. */
export function readShellFile(shell: Shell, kind: 'hook' | 'completion'): string {
  const file = kind === 'hook' ? hookFile(shell) : join(installRoot(), INSTALL_LAYOUT.completions, `bird.${shell}`);
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new BirdError(
      `cannot read the ${shell} ${kind} ${file} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}): reinstall bird, or run \`npm install\` in its repository.`,
      { cause: error },
    );
  }
}
