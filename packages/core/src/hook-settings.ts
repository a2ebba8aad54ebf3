import { writeFileAtomic } from './atomic-file.ts';
import type { BirdConfig } from './config.ts';
import type { BirdLayout } from './paths.ts';

/**
 * What the shell hooks take from config.toml, resolved by bird so that no hook parses TOML
 * (three shells had three regular expressions for it, and they disagreed).
 *
 * `db/hook-settings` holds one line of them, then config.toml's bytes exactly as bird read them.
 * A hook, when it is sourced, reads both files with builtins and uses the line only while that
 * text is still config.toml's; otherwise (edited since, and no bird has read it yet) or when the
 * line is not one it knows, it asks `bird __hook-settings ROOT` once, which writes the file
 * again for the next shell. No config.toml, or no answer: the defaults, which the build writes
 * into hooks/install.SHELL. Nothing of this runs at a prompt. Bird rewrites the file whenever it
 * parses a config.toml whose text it has not seen (config.ts), at the moment it refreshes the
 * parsed-config cache.
 */
export interface HookSettings {
  /** false: the hooks bind no key (`[search] bind_keys`). */
  readonly bindKeys: boolean;
  /** true: Up runs a prefix search too (`[search] bind_up`). */
  readonly bindUp: boolean;
  /** true: the shell runs under a recorder and marks each command's output (`[capture] output`). */
  readonly output: boolean;
}

export function hookSettingsOf(config: BirdConfig): HookSettings {
  return { bindKeys: config.search.bind_keys, bindUp: config.search.bind_up, output: config.capture.output };
}

/**
 * The line the hooks read, matched whole: any other line is no settings.
 *
 * @example
 * hookSettingsLine({ bindKeys: true, bindUp: false, output: false }) // 'bird-hook-settings 2 bind_keys=1 bind_up=0 output=0'
 */
export function hookSettingsLine(settings: HookSettings): string {
  return `bird-hook-settings 2 bind_keys=${settings.bindKeys ? 1 : 0} bind_up=${settings.bindUp ? 1 : 0} output=${settings.output ? 1 : 0}`;
}

/**
 * What the hooks match the line with, a POSIX extended regular expression (the same in zsh's
 * and bash's `=~` and fish's `string match -r`): bind_keys, then bind_up, then output. The build
 * writes it into hooks/install.SHELL. Version 2 added output: a line of version 1 (written by an
 * older bird) does not match, so the hook asks bird once.
 */
export const HOOK_SETTINGS_FORM = '^bird-hook-settings 2 bind_keys=([01]) bind_up=([01]) output=([01])$';

/** The file's content: the line, then the config.toml bytes the settings were resolved from. */
export function hookSettingsFile(settings: HookSettings, configBytes: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`${hookSettingsLine(settings)}\n`), configBytes]);
}

/** Writes the settings resolved from `configBytes` for the next hook. Best effort: a hook that finds none asks bird. */
export function rememberHookSettings(layout: BirdLayout, configBytes: Uint8Array, settings: HookSettings): void {
  try {
    writeFileAtomic(layout.hookSettings, hookSettingsFile(settings, configBytes), { tmpDir: layout.tmp, durable: false });
  } catch {
    // The next hook sourced asks bird again.
  }
}
