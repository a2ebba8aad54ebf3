// The output search's cache (db/output-search.cache), end to end in both storage modes with the
// built bird: it answers as the store does after new outputs come, and nothing forgotten is ever
// found through it or left in it, even when a copy from before the forget is put back.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { birdLayout, STORAGE_MODES } from '@bird/core';
import { buildBundles, Sandbox } from './cli-helpers.ts';

beforeAll(() => buildBundles());

/** Stores a command that prints `<a>-<b>`: the word is made when it runs, so only its output holds it. */
function runPrinting(box: Sandbox, a: string, b: string): void {
  writeFileSync(join(box.dir, 'print.sh'), `printf '%s-%s\\n' "$1" "$2"\n`);
  const r = box.bird(['run', '--', 'sh', 'print.sh', a, b]);
  expect(r.code, r.stderr).toBe(0);
}

function printed(box: Sandbox, word: string): string {
  const r = box.bird(['search', '--output', word]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

const command = (a: string, b: string) => `sh print.sh ${a} ${b}`;

describe.each(STORAGE_MODES)('bird search --output with its cache, %s mode', (mode) => {
  it('finds what a command printed after the cache was made', () => {
    const box = new Sandbox();
    expect(box.bird(['init', '--mode', mode]).code).toBe(0);
    runPrinting(box, 'alpha', 'word');
    expect(printed(box, 'alpha-word')).toBe(`${command('alpha', 'word')}\n`);
    const cache = birdLayout(box.root).outputSearchCache;
    expect(existsSync(cache), 'the first search made the cache').toBe(true);
    runPrinting(box, 'gamma', 'word');
    expect(printed(box, 'gamma-word')).toBe(`${command('gamma', 'word')}\n`);
    expect(printed(box, 'ALPHA-WORD')).toBe(`${command('alpha', 'word')}\n`);
  });

  it('never finds a forgotten output, nor keeps it on disk, even with a cache from before the forget put back', () => {
    const box = new Sandbox();
    expect(box.bird(['init', '--mode', mode]).code).toBe(0);
    runPrinting(box, 'secret', 'quokka');
    runPrinting(box, 'kept', 'quokka');
    expect(printed(box, 'quokka').split('\n').sort()).toEqual(['', command('kept', 'quokka'), command('secret', 'quokka')]);
    const cache = birdLayout(box.root).outputSearchCache;
    const before = readFileSync(cache);
    expect(before.toString('latin1')).toContain('secret-quokka');

    const forget = box.bird(['forget', '--match', command('secret', 'quokka')]);
    expect(forget.code, forget.stderr).toBe(0);
    expect(existsSync(cache) && readFileSync(cache).toString('latin1').includes('secret-quokka'), 'the forget left no copy in the cache').toBe(false);

    // As if the forget had not deleted it (or a backup brought it back): stale, so never used.
    writeFileSync(cache, before);
    expect(printed(box, 'secret-quokka')).toBe('');
    expect(printed(box, 'quokka')).toBe(`${command('kept', 'quokka')}\n`);
    expect(readFileSync(cache).toString('latin1')).not.toContain('secret-quokka');
  });
});

describe('a damaged cache, the outputs unchanged (its key still theirs)', () => {
  it.each([
    ['cut short', (bytes: Buffer) => bytes.subarray(0, bytes.length >> 1)],
    ['overwritten with garbage', (bytes: Buffer) => Buffer.alloc(bytes.length, 0xa5)],
    ['emptied', () => Buffer.alloc(0)],
  ])('%s: the search answers from the store and writes it again', (_how, damage) => {
    const box = new Sandbox();
    expect(box.bird(['init']).code).toBe(0);
    runPrinting(box, 'delta', 'word');
    runPrinting(box, 'other', 'thing');
    expect(printed(box, 'delta-word')).toBe(`${command('delta', 'word')}\n`);
    const cache = birdLayout(box.root).outputSearchCache;
    const whole = readFileSync(cache);
    writeFileSync(cache, damage(whole));
    const r = box.bird(['search', '--output', 'delta-word']);
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 0, stdout: `${command('delta', 'word')}\n`, stderr: '' });
    // Written again whole (rows may come in another order: the same size, the same texts).
    const again = readFileSync(cache);
    expect([again.length, again.subarray(0, 8).equals(whole.subarray(0, 8)), again.toString('latin1').includes('delta-word')]).toEqual([whole.length, true, true]);
  });
});
