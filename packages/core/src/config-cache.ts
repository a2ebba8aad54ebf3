import { readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic-file.ts';
import type { BirdConfig } from './config.ts';
import type { BirdLayout } from './paths.ts';

/**
 * config.toml as the last process parsed it, so the next one need not: every capture reads the
 * config, and in a fresh process the TOML parser and the checks run cold, ~0.5 ms of the few ms
 * bird-capture adds to Node's start (bench/capture-start.md). The cache holds the file's whole
 * text and is used only when the text read now is the same, so an edit, however quick, is
 * never missed; a cache written by another build of bird (whose parser may read the same text
 * differently) is not used either. It is only ever a shortcut: unreadable, damaged or from
 * elsewhere, it is ignored and rewritten.
 */
interface ConfigCache {
  readonly parser: string;
  readonly path: string;
  readonly text: string;
  readonly config: BirdConfig;
}

declare const __BIRD_CONFIG_PARSER__: string | undefined;

/**
 * Which parser made a cache: scripts/build.mjs sets it to a hash of core's sources and
 * smol-toml's version, the same in every bundle built from the same code. Unbundled (the
 * tests), the sources are read as they are.
 */
export const CONFIG_PARSER = typeof __BIRD_CONFIG_PARSER__ === 'string' ? __BIRD_CONFIG_PARSER__ : 'unbundled';

/** The config parsed from `text` at `path` last time, or null. */
export function cachedConfig(layout: BirdLayout, path: string, text: string): BirdConfig | null {
  let cache: Partial<ConfigCache>;
  try {
    cache = JSON.parse(readFileSync(layout.configCache, 'utf8')) as Partial<ConfigCache>;
  } catch {
    // no cache, or a damaged one: the config is parsed again, and the cache rewritten
    return null;
  }
  if (cache.parser !== CONFIG_PARSER || cache.path !== path || cache.text !== text || typeof cache.config !== 'object' || cache.config === null) return null;
  return cache.config;
}

/** Remembers `config` as what `text` at `path` means. Best effort: a root bird cannot write still reads. */
export function rememberConfig(layout: BirdLayout, path: string, text: string, config: BirdConfig): void {
  const cache: ConfigCache = { parser: CONFIG_PARSER, path, text, config };
  try {
    writeFileAtomic(layout.configCache, JSON.stringify(cache), { tmpDir: layout.tmp, durable: false });
  } catch {
    // The next process parses the file again.
  }
}
