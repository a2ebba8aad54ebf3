import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig, resolveHookSettings, saveConfig } from './config.ts';
import { editConfigFile } from './config-edit.ts';
import { planAddRemote } from './config-text.ts';
import { HOOK_SETTINGS_FORM, hookSettingsLine } from './hook-settings.ts';
import { birdLayout, type BirdLayout } from './paths.ts';
import { ensureRoot } from './root.ts';

const dir = mkdtempSync(join(tmpdir(), 'bird-hook-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function rootWith(config: string | Buffer | null): BirdLayout {
  const layout = birdLayout(join(dir, `root${++n}`));
  mkdirSync(layout.root, { recursive: true });
  if (config !== null) writeFileSync(layout.config, config);
  return layout;
}

/** db/hook-settings split as a hook reads it: the line, then the rest, byte for byte. */
function written(layout: BirdLayout): { line: string; rest: Buffer } {
  const bytes = readFileSync(layout.hookSettings);
  const end = bytes.indexOf(0x0a);
  return { line: bytes.subarray(0, end).toString(), rest: bytes.subarray(end + 1) };
}

describe('resolveHookSettings', () => {
  it.each([
    ['a commented-out bind_up', '[search]\n# bind_up = true\n', 'bind_keys=1 bind_up=0 output=0'],
    ['bind_up in an inline table', 'search = { bind_up = true }\n', 'bind_keys=1 bind_up=1 output=0'],
    ['bind_keys = false with a comment after it', '[search]\nbind_keys = false # mine\n', 'bind_keys=0 bind_up=0 output=0'],
    ['bind_up in another table', '[sync]\nsync_events = true\n[capture]\nignore = ["bind_up = true"]\n', 'bind_keys=1 bind_up=0 output=0'],
    ['both, under [search]', '[search]\n  bind_keys = true\n  bind_up = true\n', 'bind_keys=1 bind_up=1 output=0'],
    ['text that is not TOML (the defaults: a shell must start)', '[search\nbind_up = true\n', 'bind_keys=1 bind_up=0 output=0'],
    ['TOML bird refuses (the defaults)', '[search]\nbind_up = "yes"\n', 'bind_keys=1 bind_up=0 output=0'],
    ['passive output capture on', '[capture]\noutput = true\n', 'bind_keys=1 bind_up=0 output=1'],
  ])('%s: as TOML reads it, written down with the exact text', (_name, text, expected) => {
    const layout = rootWith(text);
    expect(hookSettingsLine(resolveHookSettings(layout))).toBe(`bird-hook-settings 2 ${expected}`);
    expect(written(layout)).toEqual({ line: `bird-hook-settings 2 ${expected}`, rest: Buffer.from(text) });
  });

  it('keeps config.toml bytes exactly, CRLF and bytes that are not UTF-8 included (the hooks compare them)', () => {
    const bytes = Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9, 0xff]), Buffer.from('\r\n[search]\r\nbind_up = true\r\n\r\n')]);
    const layout = rootWith(bytes);
    expect(resolveHookSettings(layout).bindUp).toBe(true);
    expect(written(layout).rest.equals(bytes)).toBe(true);
  });

  it('gives the defaults with no config.toml, and writes nothing (a hook needs no file then)', () => {
    const layout = rootWith(null);
    expect(resolveHookSettings(layout)).toEqual({ bindKeys: true, bindUp: false, output: false });
    expect(existsSync(layout.hookSettings)).toBe(false);
  });

  it('still answers where it cannot write the file', () => {
    const layout = rootWith('[search]\nbind_up = true\n');
    mkdirSync(layout.dbDir);
    writeFileSync(layout.tmp, 'a file where db/tmp should be');
    expect(resolveHookSettings(layout).bindUp).toBe(true);
    expect(existsSync(layout.hookSettings)).toBe(false);
  });

  it('rewrites a damaged file, also when config.toml has not changed since the parse was cached', () => {
    const layout = rootWith('[search]\nbind_up = true\n');
    loadConfig(layout);
    writeFileSync(layout.hookSettings, '\u0000garbage\n[search]\nbind_up = true\n');
    expect(resolveHookSettings(layout).bindUp).toBe(true);
    expect(written(layout).line).toBe('bird-hook-settings 2 bind_keys=1 bind_up=1 output=0');
  });
});

describe('the hook settings file is written when bird reads a config.toml it has not seen', () => {
  it('by loadConfig, whenever the text changed, and then reads as the new text says', () => {
    const layout = rootWith('[search]\nbind_up = false\n');
    loadConfig(layout);
    expect(written(layout).line).toBe('bird-hook-settings 2 bind_keys=1 bind_up=0 output=0');
    writeFileSync(layout.config, '[search]\nbind_up = true\n');
    loadConfig(layout);
    expect(written(layout)).toEqual({ line: 'bird-hook-settings 2 bind_keys=1 bind_up=1 output=0', rest: Buffer.from('[search]\nbind_up = true\n') });
  });

  it("by bird's own edits of config.toml (bird remote add, a rewrite), for the text they write", async () => {
    const layout = rootWith('[search]\nbind_up = true\n');
    await editConfigFile(layout, ({ text, doc }) => planAddRemote(text, doc, { name: 'lake', type: 'file', uri: '/srv/lake', mode: 'read_write', auto_attach: true }));
    expect(written(layout)).toEqual({ line: 'bird-hook-settings 2 bind_keys=1 bind_up=1 output=0', rest: readFileSync(layout.config) });
    saveConfig(layout, parseConfig('[search]\nbind_keys = false\n'));
    expect(written(layout)).toEqual({ line: 'bird-hook-settings 2 bind_keys=0 bind_up=0 output=0', rest: readFileSync(layout.config) });
  });

  it('by ensureRoot, for the config.toml it makes', () => {
    const layout = rootWith(null);
    ensureRoot(layout);
    expect(written(layout)).toEqual({ line: 'bird-hook-settings 2 bind_keys=1 bind_up=0 output=0', rest: readFileSync(layout.config) });
  });
});

describe('HOOK_SETTINGS_FORM, what the hooks match the line with', () => {
  const form = new RegExp(HOOK_SETTINGS_FORM);

  it.each([
    [true, true, false],
    [true, false, true],
    [false, true, false],
    [false, false, true],
  ])('matches the line of bind_keys=%s, bind_up=%s, output=%s and gives them in that order', (bindKeys, bindUp, output) => {
    expect(form.exec(hookSettingsLine({ bindKeys, bindUp, output }))?.slice(1)).toEqual([bindKeys, bindUp, output].map((b) => (b ? '1' : '0')));
  });

  it.each(['', 'bird-hook-settings 2 bind_keys=1 bind_up=0', 'bird-hook-settings 1 bind_keys=1 bind_up=0', 'bird-hook-settings 1 bind_keys=1 bind_up=0 more', 'bird-hook-settings 1 bind_keys=true bind_up=0', ' bird-hook-settings 2 bind_keys=1 bind_up=0 output=0'])(
    'matches no other line: %j',
    (line) => expect(form.test(line)).toBe(false),
  );
});
