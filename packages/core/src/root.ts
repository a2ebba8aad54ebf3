import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createFileAtomic } from './atomic-file.ts';
import { clientIdProblem, resolveClientId } from './client-id.ts';
import { BirdError } from './errors.ts';
import { defaultConfig, loadConfig, renderConfig, type BirdConfig, type StorageMode } from './config.ts';
import { hookSettingsOf, rememberHookSettings } from './hook-settings.ts';
import type { BirdLayout } from './paths.ts';

const codeOf = (error: unknown) => (error as NodeJS.ErrnoException).code;

/**
 * `mkdir -p` that always ends: finds the deepest folder that exists, then makes each missing
 * one below it once, failing on the first that cannot be made. (Node's own recursive mkdirSync
 * retries forever where mkdir fails with ENOENT under a parent that exists, as in /proc.)
 * Throws the filesystem's error (ENOENT, ENOTDIR, EACCES …) as it is.
 */
export function makeDirs(dir: string, mode = 0o700): void {
  const missing: string[] = [];
  for (let current = resolve(dir); ; ) {
    let isDir: boolean;
    try {
      isDir = statSync(current).isDirectory();
    } catch (error) {
      const parent = dirname(current);
      if (codeOf(error) !== 'ENOENT' || parent === current) throw error;
      missing.push(current);
      current = parent;
      continue;
    }
    if (!isDir) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), { code: 'ENOTDIR', path: current });
    break;
  }
  for (const path of missing.reverse()) {
    try {
      mkdirSync(path, { mode });
    } catch (error) {
      // Another process made it in the meantime.
      if (codeOf(error) === 'EEXIST' && statSync(path).isDirectory()) continue;
      throw error;
    }
  }
}

/**
 * Makes sure the root's folders and config exist, creating what is missing (root 0700,
 * files 0600) and never touching what is there. Returns the config in force.
 * The DuckDB catalog is not made here: the capture path must not load DuckDB.
 */
export function ensureRoot(layout: BirdLayout, mode: StorageMode = 'parquet', env: NodeJS.ProcessEnv = process.env): BirdConfig {
  try {
    if (existsSync(layout.root) && !statSync(layout.root).isDirectory()) {
      throw new BirdError(`BIRD_ROOT ${layout.root} is a file, not a folder: point BIRD_ROOT at a folder.`);
    }
    for (const dir of [layout.root, layout.dbDir, layout.dataDir, layout.localData, layout.tmp]) makeDirs(dir);
    accessSync(layout.root, constants.W_OK);
    try {
      makeDirs(layout.spool);
    } catch {
      // Only the hooks write there, and they hold their commands while it is broken; reads and
      // `bird-capture --cmd` do not need it (spoolProblem says what is wrong with it).
    }
  } catch (error) {
    if (error instanceof BirdError) throw error;
    throw new BirdError(
      `cannot create or write the BIRD root ${layout.root} (${codeOf(error) ?? (error as Error).message}): make it writable or point BIRD_ROOT somewhere you can write.`,
      { cause: error },
    );
  }
  if (!existsSync(layout.config)) {
    // The identity is settled when the store is made, by whoever makes it (usually a hooked
    // shell, with its BIRD_CLIENT_ID): cron and every later process then agree on it.
    const config = defaultConfig(mode);
    const id = resolveClientId(env);
    if (clientIdProblem(id) === null) config.client_id = id;
    // Whoever created it first wins; a loser reads theirs (which may already hold a remote).
    const text = renderConfig(config);
    if (createFileAtomic(layout.config, text, { tmpDir: layout.tmp, mode: 0o600 })) {
      rememberHookSettings(layout, Buffer.from(text), hookSettingsOf(config));
      return config;
    }
  }
  return loadConfig(layout);
}
