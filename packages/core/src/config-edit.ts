/**
 * The read-modify-write of config.toml for `bird remote add|remove`: under a lock file beside
 * it, so that edits running at once each see the one before and none is lost; re-read under
 * the lock; the new text checked by parsing it; written atomically.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'smol-toml';
import { parseConfig, type BirdConfig } from './config.ts';
import { checkConfigEdit, type ConfigEdit } from './config-text.ts';
import { writeFileAtomic } from './atomic-file.ts';
import { BirdError } from './errors.ts';
import { waitForLock, type Lock } from './lock-file.ts';
import { hookSettingsOf, rememberHookSettings } from './hook-settings.ts';
import type { BirdLayout } from './paths.ts';
import { ensureRoot } from './root.ts';

/** config.toml as it is under the lock: its bytes, its raw TOML document and the config it means. */
export interface ConfigSnapshot {
  readonly text: string;
  readonly doc: Record<string, unknown>;
  readonly config: BirdConfig;
}

/** How long an edit waits for another to finish; an edit holds the lock for milliseconds. */
const LOCK_WAIT_MS = 10_000;

async function takeConfigLock(layout: BirdLayout, waitMs: number): Promise<Lock> {
  let lock: Lock | null;
  try {
    lock = await waitForLock(layout.configLock, waitMs);
  } catch (error) {
    // The root cannot be made or written: ensureRoot says so in its own words.
    ensureRoot(layout);
    throw error;
  }
  if (lock) return lock;
  throw new BirdError(`another bird is editing ${layout.config} (it holds ${layout.configLock}); try again in a moment, or delete that file if no bird command is running.`);
}

/**
 * Runs `edit` on config.toml as it is now (made with the defaults first if missing) and writes
 * what it returns, once {@link checkConfigEdit} has confirmed that the new text changes only
 * the remotes, and them as intended. `edit` may throw to refuse; then nothing is written.
 */
export async function editConfigFile(layout: BirdLayout, edit: (current: ConfigSnapshot) => ConfigEdit, options: { lockWaitMs?: number } = {}): Promise<void> {
  const lock = await takeConfigLock(layout, options.lockWaitMs ?? LOCK_WAIT_MS);
  try {
    ensureRoot(layout);
    const text = readFileSync(layout.config, 'utf8');
    // parseConfig first: a TOML syntax error is reported with its line and column.
    const config = parseConfig(text, layout.config);
    const doc = parse(text) as Record<string, unknown>;
    const next = edit({ text, doc, config });
    checkConfigEdit(next.text, doc, next.remotes, layout.config, next.storageMode, next.clientId);
    // An edit that changes nothing (the id already set, settled by another process) leaves the file as it is.
    if (next.text !== text) {
      writeFileAtomic(layout.config, next.text, { tmpDir: layout.tmp, mode: 0o600 });
      // The edit left [search] as it was (checkConfigEdit): the hooks' settings are the same, for the new text.
      rememberHookSettings(layout, Buffer.from(next.text), hookSettingsOf(config));
    }
  } finally {
    lock.release();
  }
}
