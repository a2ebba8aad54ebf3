// `bird hook SHELL`: the file hooks/bird.SHELL, preceded by what a sourced hook reads from files
// beside it and in BIRD_ROOT (an eval'ed hook has no file beside it): the install's folder,
// hooks/install.SHELL, and the settings resolved from config.toml now (as atuin's `init` does).

import { SHELLS, hookSettingsLine, type HookSettings, type ShellName } from '@bird/core';
import { hookInstallFile } from './hook-install-file.ts';
import { globalAssignment } from './shell-quote.ts';

export { SHELLS };
export type Shell = ShellName;

/** The lines before the hook: the install's root, hooks/install.SHELL, the resolved settings. */
export function hookPreamble(shell: Shell, installRoot: string, settings: HookSettings): string {
  return `${globalAssignment(shell, '__bird_install', installRoot)}\n${hookInstallFile(shell)}${globalAssignment(shell, '__bird_hs', hookSettingsLine(settings))}\n`;
}

export function renderHook(shell: Shell, hookText: string, installRoot: string, settings: HookSettings): string {
  return `${hookPreamble(shell, installRoot, settings)}${hookText.endsWith('\n') ? hookText : `${hookText}\n`}`;
}
