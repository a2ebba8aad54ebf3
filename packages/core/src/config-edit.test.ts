import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { editConfigFile } from './config-edit.ts';
import { planAddRemote } from './config-text.ts';
import { tryLock } from './lock-file.ts';
import { birdLayout } from './paths.ts';

const TEXT = '# mine\n[storage]\nmode = "parquet"\n';
const lake = { name: 'lake', type: 'file', uri: '/srv/lake', mode: 'read_write', auto_attach: true } as const;

const root = () => birdLayout(join(mkdtempSync(join(tmpdir(), 'bird-config-edit-')), 'root'));

describe('editConfigFile', () => {
  it('makes a missing root and config first, then applies the edit', async () => {
    const layout = root();
    await editConfigFile(layout, ({ text, doc }) => planAddRemote(text, doc, lake));
    expect(readFileSync(layout.config, 'utf8')).toMatch(/^# BIRD configuration[\s\S]*\n\n\[\[remotes\]\]\nname = "lake"\n/);
    expect(existsSync(layout.configLock)).toBe(false);
  });

  it('writes nothing when the edit refuses, and lets the next edit in', async () => {
    const layout = root();
    await editConfigFile(layout, ({ text, doc }) => planAddRemote(text, doc, lake));
    const before = readFileSync(layout.config, 'utf8');
    await expect(
      editConfigFile(layout, () => {
        throw new Error('no, thanks');
      }),
    ).rejects.toThrow('no, thanks');
    expect(readFileSync(layout.config, 'utf8')).toBe(before);
    await editConfigFile(layout, ({ text, doc }) => planAddRemote(text, doc, { ...lake, name: 'other' }));
    expect(readFileSync(layout.config, 'utf8')).toContain('name = "other"');
  });

  it('writes nothing when the new text changes more than the remotes', async () => {
    const layout = root();
    await editConfigFile(layout, ({ text, doc }) => planAddRemote(text, doc, lake));
    writeFileSync(layout.config, TEXT);
    await expect(editConfigFile(layout, () => ({ text: TEXT.replace('parquet', 'duckdb'), remotes: [] as unknown[] }))).rejects.toThrow(
      /could not edit .*config\.toml safely \(the edit would change more than the one remote\)/,
    );
    expect(readFileSync(layout.config, 'utf8')).toBe(TEXT);
  });

  it('waits for a live holder of the lock, then says who to wait for', async () => {
    const layout = root();
    await editConfigFile(layout, ({ text, doc }) => planAddRemote(text, doc, lake));
    const held = tryLock(layout.configLock)!;
    try {
      await expect(editConfigFile(layout, ({ text, doc }) => planAddRemote(text, doc, { ...lake, name: 'late' }), { lockWaitMs: 200 })).rejects.toThrow(
        /^another bird is editing .*config\.toml \(it holds .*config\.toml\.lock\); try again in a moment, or delete that file if no bird command is running\.$/,
      );
    } finally {
      held.release();
    }
    expect(readFileSync(layout.config, 'utf8')).not.toContain('late');
  });
});
