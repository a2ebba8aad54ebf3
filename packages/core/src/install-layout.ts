import { dirname, resolve } from 'node:path';
import layout from './install-layout.json' with { type: 'json' };

/**
 * Where the parts of an install of bird are (a clone, or the tree `npm install -g` links),
 * relative to its root. Named once, in install-layout.json: scripts/build.mjs builds the bundles
 * there and writes what the hooks need of it into hooks/install.SHELL, the bin wrappers and the
 * benchmarks read the file, and the code reads it from here.
 */
export interface InstallLayout {
  /** hooks/bird.SHELL, and the install.SHELL the build writes beside them. */
  readonly hooks: string;
  /** Tab completion for bird, bird.SHELL, loaded by the hooks and printed by `bird completion`. */
  readonly completions: string;
  /**
   * The startup files a shell started by the output recorder reads (zsh/ as its ZDOTDIR, bashrc
   * as bash's --rcfile): the user's own, then the hook, which may have been sourced by hand.
   */
  readonly recorderStartup: string;
  /** `bird`, `bird-sync` and `bird-capture` by name: what a hook puts on PATH when no bird is there. */
  readonly bin: string;
  readonly captureBundle: string;
  readonly cliBundle: string;
  readonly syncBundle: string;
}

export const INSTALL_LAYOUT: InstallLayout = layout;

/**
 * The root of the install whose `entry` (a bundle's path in the layout) is in folder `dir`.
 *
 * @example
 * installRootOf('/opt/bird/packages/cli/dist', INSTALL_LAYOUT.cliBundle) // '/opt/bird'
 */
export function installRootOf(dir: string, entry: string): string {
  return resolve(dir, ...dirname(entry).split('/').map(() => '..'));
}
