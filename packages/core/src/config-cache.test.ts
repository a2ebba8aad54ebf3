import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CONFIG_PARSER } from './config-cache.ts';
import { loadConfig, parseConfig } from './config.ts';
import { birdLayout, type BirdLayout } from './paths.ts';

const dir = mkdtempSync(join(tmpdir(), 'bird-config-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function rootWith(text: string): BirdLayout {
  const layout = birdLayout(join(dir, `root${++n}`));
  mkdirSync(layout.tmp, { recursive: true });
  writeFileSync(layout.config, text);
  return layout;
}

const readCache = (layout: BirdLayout) => JSON.parse(readFileSync(layout.configCache, 'utf8'));
const writeCache = (layout: BirdLayout, cache: unknown) => writeFileSync(layout.configCache, JSON.stringify(cache));

const RICH = `client_id = "me@laptop"
[storage]
mode = "duckdb"
[capture]
ignore = ["ls", "cd *"]
[compaction]
min_files = 9
auto = false
[sync]
default_remote = "team"
[search]
height = 20
bind_up = true
[[remotes]]
name = "team"
type = "s3"
uri = "s3://bucket/prefix"
endpoint = "http://127.0.0.1:9000"
region = "eu-west-1"
force_path_style = true
mode = "read_only"
auto_attach = false
[[remotes]]
name = "bad name!"
type = "file"
uri = "/x"
`;

describe('loadConfig through the parsed-config cache', () => {
  it('gives the same config from the cache as from parsing, every field and problem included', () => {
    const layout = rootWith(RICH);
    const parsed = loadConfig(layout);
    expect(parsed).toEqual(parseConfig(RICH, layout.config));
    expect(parsed.remoteProblems).toHaveLength(1);
    expect(readCache(layout)).toMatchObject({ parser: CONFIG_PARSER, path: layout.config, text: RICH });
    expect(loadConfig(layout)).toEqual(parsed);
  });

  it('uses the cache when the text is the same: what it holds is what is returned', () => {
    const layout = rootWith('[storage]\nmode = "parquet"\n');
    loadConfig(layout);
    const cache = readCache(layout);
    // Doctored so that only a read of the cache can give this answer.
    writeCache(layout, { ...cache, config: { ...cache.config, client_id: 'from-the-cache' } });
    expect(loadConfig(layout).client_id).toBe('from-the-cache');
  });

  it('sees an edit at once, even one of the same length in the same instant', () => {
    const [before, after] = ['[storage]\nmode = "parquet"\n', '[storage]\nmode = "duckdb"\n\n'];
    expect(after.length).toBe(before.length);
    const layout = rootWith(before);
    expect(loadConfig(layout).storage.mode).toBe('parquet');
    writeFileSync(layout.config, after);
    expect(loadConfig(layout).storage.mode).toBe('duckdb');
    expect(readCache(layout).config.storage.mode).toBe('duckdb');
  });

  it('ignores a cache another build of bird wrote (its parser may read the text differently)', () => {
    const layout = rootWith('client_id = "real"\n');
    loadConfig(layout);
    writeCache(layout, { ...readCache(layout), parser: 'another-build', config: { client_id: 'stale' } });
    expect(loadConfig(layout).client_id).toBe('real');
    expect(readCache(layout).parser).toBe(CONFIG_PARSER);
  });

  it('ignores a cache made for the same text at another path (problems name the file)', () => {
    const layout = rootWith(RICH);
    loadConfig(layout);
    const moved = birdLayout(join(dir, `moved${++n}`));
    cpSync(layout.root, moved.root, { recursive: true });
    expect(loadConfig(moved).remoteProblems[0]).toContain(moved.config);
  });

  it.each([
    ['not JSON', '{"parser": '],
    ['JSON without a config', JSON.stringify({ parser: CONFIG_PARSER, text: 'client_id = "x"\n', config: null })],
    ['an empty file', ''],
  ])('parses the file again when the cache is %s', (_name, damaged) => {
    const layout = rootWith('client_id = "x"\n');
    writeFileSync(layout.configCache, damaged);
    expect(loadConfig(layout).client_id).toBe('x');
    expect(readCache(layout).config.client_id).toBe('x');
  });

  it('never caches a file it cannot parse: the error comes every time', () => {
    const layout = rootWith('[storage\n');
    expect(() => loadConfig(layout)).toThrow(/is not valid TOML/);
    expect(existsSync(layout.configCache)).toBe(false);
    expect(() => loadConfig(layout)).toThrow(/is not valid TOML/);
  });

  it('reads a root where it cannot write the cache, without one', () => {
    const layout = rootWith('client_id = "ro"\n');
    // A file where db/tmp should be: writes fail for root too (the tests may run as root).
    rmSync(layout.tmp, { recursive: true });
    writeFileSync(layout.tmp, '');
    expect(loadConfig(layout).client_id).toBe('ro');
    expect(existsSync(layout.configCache)).toBe(false);
  });
});
