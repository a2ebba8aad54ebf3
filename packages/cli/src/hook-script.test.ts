import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { fishQuote, posixQuote, presetLine, renderHook } from './hook-script.ts';

const PATHS = ['/opt/bird/packages/capture/dist/bird-capture.cjs', "/home/o'neil/bird/x.cjs", '/a b/$HOME/`x`/"q"/\\/x.cjs'];

describe('presetLine', () => {
  it.each(PATHS)('bash reads %j back exactly, and a value already set wins', (path) => {
    const script = `${presetLine('bash', path)}\nprintf %s "$BIRD_CAPTURE_BIN"`;
    expect(execFileSync('bash', ['--norc', '-c', script], { env: { PATH: process.env.PATH } }).toString()).toBe(path);
    expect(execFileSync('bash', ['--norc', '-c', script], { env: { PATH: process.env.PATH, BIRD_CAPTURE_BIN: '/mine' } }).toString()).toBe('/mine');
  });

  it.each(PATHS)('quotes %j for sh and fish', (path) => {
    expect(posixQuote(path).startsWith("'")).toBe(true);
    expect(fishQuote(path)).toBe(`'${path.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`);
  });

  it('writes the fish form with set -q … ; or set -g', () => {
    expect(presetLine('fish', "/x/it's")).toBe("set -q BIRD_CAPTURE_BIN; or set -g BIRD_CAPTURE_BIN '/x/it\\'s'");
    expect(presetLine('zsh', '/x')).toBe("BIRD_CAPTURE_BIN=${BIRD_CAPTURE_BIN:-'/x'}");
  });
});

describe('renderHook', () => {
  it('puts the preset line first and the hook file after it, unchanged', () => {
    expect(renderHook('zsh', 'a\nb\n', '/x')).toBe("BIRD_CAPTURE_BIN=${BIRD_CAPTURE_BIN:-'/x'}\na\nb\n");
    expect(renderHook('bash', 'a', '/x').endsWith('\na\n')).toBe(true);
  });
});
