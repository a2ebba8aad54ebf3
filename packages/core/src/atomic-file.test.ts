import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StagedFiles, createFileAtomic, writeFilesAtomic } from './atomic-file.ts';

const temp = () => mkdtempSync(join(tmpdir(), 'bird-atomic-'));

describe('writeFilesAtomic', () => {
  it.each([
    ['with sync -f on PATH', undefined],
    ['falling back to an fsync per file without it', '/nonexistent'],
  ])('publishes every file whole, 0600, and leaves no temporary file (%s)', (_, path) => {
    const dir = temp();
    const tmp = join(dir, 'tmp');
    const saved = process.env.PATH;
    if (path !== undefined) process.env.PATH = path;
    try {
      writeFileSync(join(dir, 'old'), 'before');
      writeFilesAtomic(
        [
          { path: join(dir, 'a', 'date=1', 'x.parquet'), data: 'one' },
          { path: join(dir, 'a', 'date=2', 'y.parquet'), data: new Uint8Array([1, 2, 3]) },
          { path: join(dir, 'old'), data: 'after' },
        ],
        { tmpDir: tmp },
      );
    } finally {
      process.env.PATH = saved;
    }
    expect(readFileSync(join(dir, 'a', 'date=1', 'x.parquet'), 'utf8')).toBe('one');
    expect([...readFileSync(join(dir, 'a', 'date=2', 'y.parquet'))]).toEqual([1, 2, 3]);
    expect(readFileSync(join(dir, 'old'), 'utf8')).toBe('after');
    expect(statSync(join(dir, 'a', 'date=1', 'x.parquet')).mode & 0o777).toBe(0o600);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('publishes none of them when one cannot be written, and cleans up', () => {
    const dir = temp();
    const tmp = join(dir, 'tmp');
    writeFileSync(join(dir, 'blocker'), 'a file where a folder should be');
    expect(() =>
      writeFilesAtomic(
        [
          { path: join(dir, 'ok', 'first.parquet'), data: 'x' },
          { path: join(dir, 'blocker', 'second.parquet'), data: 'y' },
        ],
        { tmpDir: tmp },
      ),
    ).toThrow(/ENOTDIR|EEXIST/);
    expect(readdirSync(join(dir, 'ok'))).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  });
});

describe('StagedFiles', () => {
  it('publishes what several stage calls wrote only at publish, and discards what was staged after', () => {
    const dir = temp();
    const tmp = join(dir, 'tmp');
    const staged = new StagedFiles({ tmpDir: tmp });
    staged.stage([{ path: join(dir, 'd', 'a.parquet'), data: 'a' }]);
    staged.stage([{ path: join(dir, 'd', 'b.parquet'), data: 'b' }]);
    expect(readdirSync(join(dir, 'd'))).toEqual([]);
    expect(readdirSync(tmp)).toHaveLength(2);
    staged.publish();
    expect(readdirSync(join(dir, 'd')).sort()).toEqual(['a.parquet', 'b.parquet']);
    expect(readFileSync(join(dir, 'd', 'b.parquet'), 'utf8')).toBe('b');
    staged.stage([{ path: join(dir, 'd', 'c.parquet'), data: 'c' }]);
    staged.discard();
    staged.publish();
    expect(readdirSync(join(dir, 'd')).sort()).toEqual(['a.parquet', 'b.parquet']);
    expect(readdirSync(tmp)).toEqual([]);
  });
});

describe('createFileAtomic', () => {
  it('creates a missing file whole, with its mode, and leaves no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bird-create-'));
    const path = join(dir, 'config.toml');
    expect(createFileAtomic(path, 'a = 1\n', { mode: 0o600 })).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('a = 1\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['config.toml']);
  });

  it('never replaces a file that exists, reports it, and cleans up its temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bird-create-'));
    const tmp = join(dir, 'tmp');
    const path = join(dir, 'config.toml');
    writeFileSync(path, '# the user\'s own\n');
    expect(createFileAtomic(path, 'a = 1\n', { tmpDir: tmp })).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe("# the user's own\n");
    expect(readdirSync(tmp)).toEqual([]);
  });
});
