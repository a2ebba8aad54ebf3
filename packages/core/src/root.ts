import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { BirdError } from './errors.ts';
import { defaultConfig, loadConfig, saveConfig, type BirdConfig, type StorageMode } from './config.ts';
import type { BirdLayout } from './paths.ts';

/**
 * Makes sure the root's folders and config exist, creating what is missing (root 0700,
 * files 0600) and never touching what is there. Returns the config in force.
 * The DuckDB catalog is not made here: the capture path must not load DuckDB.
 */
export function ensureRoot(layout: BirdLayout, mode: StorageMode = 'parquet'): BirdConfig {
  try {
    if (existsSync(layout.root) && !statSync(layout.root).isDirectory()) {
      throw new BirdError(`BIRD_ROOT ${layout.root} is a file, not a folder: point BIRD_ROOT at a folder.`);
    }
    for (const dir of [layout.root, layout.dbDir, layout.dataDir, layout.localData, layout.tmp, layout.spool]) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    }
    accessSync(layout.root, constants.W_OK);
  } catch (error) {
    if (error instanceof BirdError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new BirdError(
      `cannot create or write the BIRD root ${layout.root} (${code ?? (error as Error).message}): make it writable or point BIRD_ROOT somewhere you can write.`,
      { cause: error },
    );
  }
  if (!existsSync(layout.config)) {
    const config = defaultConfig(mode);
    saveConfig(layout, config);
    return config;
  }
  return loadConfig(layout);
}
