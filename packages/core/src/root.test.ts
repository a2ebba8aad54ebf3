import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig, parseConfig } from './config.ts';
import { BirdError } from './errors.ts';
import { birdLayout } from './paths.ts';
import { ensureRoot, makeDirs } from './root.ts';

const base = mkdtempSync(join(tmpdir(), 'bird-root-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const freshLayout = () => birdLayout(join(base, `r${++n}`, 'bird'));
const permissions = (path: string) => statSync(path).mode & 0o777;

function ensureRootError(layout: ReturnType<typeof birdLayout>): BirdError {
  try {
    ensureRoot(layout);
  } catch (error) {
    expect(error).toBeInstanceOf(BirdError);
    return error as BirdError;
  }
  throw new Error('expected ensureRoot to fail');
}

describe('ensureRoot', () => {
  it('creates the folders 0700 and the config 0600 with the default mode', () => {
    const layout = freshLayout();
    const config = ensureRoot(layout, 'parquet', { USER: 'me', BIRD_CLIENT_ID: 'me@laptop' });
    // The store's identity is settled when it is made: cron and every later process agree on it.
    expect(config).toEqual({ ...defaultConfig('parquet'), client_id: 'me@laptop' });
    for (const dir of [layout.root, layout.dbDir, layout.dataDir, layout.localData, layout.tmp, layout.spool]) {
      expect(statSync(dir).isDirectory()).toBe(true);
      expect(permissions(dir)).toBe(0o700);
    }
    expect(permissions(layout.config)).toBe(0o600);
    expect(parseConfig(readFileSync(layout.config, 'utf8'))).toEqual(config);
  });

  it('keeps 0700 and 0600 under a permissive umask', () => {
    const layout = freshLayout();
    const old = process.umask(0o000);
    try {
      ensureRoot(layout);
    } finally {
      process.umask(old);
    }
    expect(permissions(layout.root)).toBe(0o700);
    expect(permissions(layout.tmp)).toBe(0o700);
    expect(permissions(layout.config)).toBe(0o600);
  });

  it('writes the mode it is asked for into a new config', () => {
    const layout = freshLayout();
    expect(ensureRoot(layout, 'duckdb').storage.mode).toBe('duckdb');
    expect(parseConfig(readFileSync(layout.config, 'utf8')).storage.mode).toBe('duckdb');
  });

  it('is idempotent: a second call changes nothing and leaves no temporary files', () => {
    const layout = freshLayout();
    const first = ensureRoot(layout);
    const bytes = readFileSync(layout.config);
    const mtime = statSync(layout.config).mtimeMs;
    expect(ensureRoot(layout)).toEqual(first);
    expect(readFileSync(layout.config)).toEqual(bytes);
    expect(statSync(layout.config).mtimeMs).toBe(mtime);
    expect(readdirSync(layout.tmp)).toEqual([]);
  });

  it('never overwrites an existing config, whatever mode it is asked for', () => {
    const layout = freshLayout();
    mkdirSync(layout.root, { recursive: true });
    const text = '# mine\nclient_id = "me@here"\n[storage]\nmode = "duckdb"\n';
    writeFileSync(layout.config, text);
    const config = ensureRoot(layout, 'parquet');
    expect(config.storage.mode).toBe('duckdb');
    expect(config.client_id).toBe('me@here');
    expect(readFileSync(layout.config, 'utf8')).toBe(text);
  });

  it('keeps data that is already there', () => {
    const layout = freshLayout();
    ensureRoot(layout);
    const file = join(layout.localData, 'invocations', 'date=2024-01-01', 'x.parquet');
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, 'data');
    ensureRoot(layout);
    expect(readFileSync(file, 'utf8')).toBe('data');
  });

  it('reports a corrupt existing config instead of replacing it', () => {
    const layout = freshLayout();
    mkdirSync(layout.root, { recursive: true });
    writeFileSync(layout.config, '[storage\n');
    const error = ensureRootError(layout);
    expect(error.message).toMatch(/config\.toml is not valid TOML at line 1/);
    expect(readFileSync(layout.config, 'utf8')).toBe('[storage\n');
  });

  it('says clearly when the root is a file', () => {
    const dir = join(base, `file-root-${++n}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'bird'), 'not a folder');
    const error = ensureRootError(birdLayout(join(dir, 'bird')));
    expect(error.message).toBe(`BIRD_ROOT ${join(dir, 'bird')} is a file, not a folder: point BIRD_ROOT at a folder.`);
    expect(readFileSync(join(dir, 'bird'), 'utf8')).toBe('not a folder');
  });

  it('says clearly when the root lies under a file (unwritable even for root)', () => {
    const file = join(base, `plain-file-${++n}`);
    writeFileSync(file, 'x');
    const error = ensureRootError(birdLayout(join(file, 'sub')));
    expect(error.message).toMatch(/^cannot create or write the BIRD root .*sub \(ENOTDIR\): make it writable or point BIRD_ROOT somewhere you can write\.$/);
  });

  it.skipIf(process.getuid?.() === 0)('says clearly when the parent folder is read-only', () => {
    const parent = join(base, `ro-${++n}`);
    mkdirSync(parent, { mode: 0o500 });
    try {
      const error = ensureRootError(birdLayout(join(parent, 'bird')));
      expect(error.message).toMatch(/\(EACCES\): make it writable/);
    } finally {
      chmodSync(parent, 0o700);
    }
  });
});

describe('makeDirs', () => {
  it('makes every missing folder 0700 and accepts one that exists', () => {
    const dir = join(base, `deep-${++n}`, 'a', 'b', 'c');
    makeDirs(dir);
    expect(statSync(dir).isDirectory()).toBe(true);
    expect(permissions(dir)).toBe(0o700);
    expect(permissions(join(dir, '..', '..'))).toBe(0o700);
    makeDirs(dir);
    makeDirs(base);
  });

  it('fails with ENOTDIR under a file', () => {
    const file = join(base, `file-${++n}`);
    writeFileSync(file, 'x');
    expect(() => makeDirs(join(file, 'a', 'b'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
  });

  // Node's recursive mkdirSync never returns here: mkdir fails with ENOENT under a parent that exists.
  it.skipIf(!existsSync('/proc/self'))('fails at once where a folder cannot be made (/proc/self)', () => {
    expect(() => makeDirs('/proc/self/bird/db')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    const error = ensureRootError(birdLayout('/proc/self'));
    expect(error.message).toBe('cannot create or write the BIRD root /proc/self (ENOENT): make it writable or point BIRD_ROOT somewhere you can write.');
  });
});
