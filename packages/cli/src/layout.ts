import { existsSync, statSync } from 'node:fs';
import { BirdError, birdLayout, resolveBirdRoot, type BirdLayout } from '@bird/core';
import type { CliContext } from './context.ts';
import { HOOK_MARKER, judgeHook, readAncestors } from './doctor/hook-state.ts';

export function layoutOf(ctx: CliContext): BirdLayout {
  return birdLayout(resolveBirdRoot(ctx.env));
}

/**
 * True when bird runs in a shell that sourced a hook and captures (not BIRD_DISABLED=1). The
 * store is made when that shell records its first command, and bird's own commands are never
 * recorded: right after `source hooks/bird.zsh` there is no store, or an empty one (bash's hook
 * has its drainer make it at once), and that is no fault.
 */
export function inCapturingShell(env: NodeJS.ProcessEnv): boolean {
  if (env.BIRD_DISABLED === '1') return false;
  const state = judgeHook(env[HOOK_MARKER], readAncestors());
  return state.kind === 'hooked' || state.kind === 'unverified';
}

/**
 * True when the store is missing only because this hooked shell has not recorded a command yet:
 * for `bird history` and `bird stats` that is an empty history, not an error.
 */
export function storeNotYetMade(ctx: CliContext): boolean {
  return !existsSync(layoutOf(ctx).root) && inCapturingShell(ctx.env);
}

/** Fails with a sentence saying what to do when the root is missing or not a folder. */
export function requireRoot(layout: BirdLayout, env: NodeJS.ProcessEnv): void {
  let isDir: boolean;
  try {
    isDir = statSync(layout.root).isDirectory();
  } catch {
    throw new BirdError(
      inCapturingShell(env)
        ? `there is no BIRD store at ${layout.root} yet: this shell's hook makes it when it records its first command (bird's own commands are not recorded); run any other command first, or \`bird init\` to make it now.`
        : `there is no BIRD store at ${layout.root}: run \`bird init\`, or source a hook (hooks/bird.zsh, .bash, .fish) to start capturing.`,
    );
  }
  if (!isDir) throw new BirdError(`BIRD_ROOT ${layout.root} is a file, not a folder: point BIRD_ROOT at a folder.`);
}
