import { statSync } from 'node:fs';
import { BirdError, birdLayout, resolveBirdRoot, type BirdLayout } from '@bird/core';
import type { CliContext } from './context.ts';

export function layoutOf(ctx: CliContext): BirdLayout {
  return birdLayout(resolveBirdRoot(ctx.env));
}

/** Fails with a sentence saying what to do when the root is missing or not a folder. */
export function requireRoot(layout: BirdLayout): void {
  let isDir: boolean;
  try {
    isDir = statSync(layout.root).isDirectory();
  } catch {
    throw new BirdError(
      `there is no BIRD store at ${layout.root}: run \`bird init\`, or source a hook (hooks/bird.zsh, .bash, .fish) to start capturing.`,
    );
  }
  if (!isDir) throw new BirdError(`BIRD_ROOT ${layout.root} is a file, not a folder: point BIRD_ROOT at a folder.`);
}
