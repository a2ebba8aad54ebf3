import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bumpGeneration,
  compactionLockHolder,
  finishPublishes,
  keepUnreadableIntent,
  mergedIdsLookSound,
  mergedIdsPath,
  newestMergedIds,
  readGeneration,
  readPublishIntent,
  recordMergedIds,
  tryCompactionLock,
  unfinishedPublishDay,
} from './compaction-state.ts';
import { birdLayout } from './paths.ts';
import { readBootId } from './process-liveness.ts';

const boot = readBootId();

describe('the compaction lock', () => {
  it('is taken over from a stale holder, and refused while a live one holds it', () => {
    const layout = birdLayout(mkdtempSync(join(tmpdir(), 'bird-lock-')));
    const first = tryCompactionLock(layout)!;
    expect(first.stillHeld()).toBe(true);
    writeFileSync(join(layout.compaction, 'lock'), `1 ${boot} 0\n`); // pid 1, but started at another tick: a reused pid
    expect(first.stillHeld()).toBe(false);
    const second = tryCompactionLock(layout)!;
    expect(second).not.toBeNull();
    expect(compactionLockHolder(layout)).toBe(process.pid);
    expect(tryCompactionLock(layout)).toBeNull(); // held (by this live process): refused
    second.release();
    expect(tryCompactionLock(layout)).not.toBeNull(); // released: free
  });
});

describe('state files read back as untrusted', () => {
  const newLayout = () => {
    const layout = birdLayout(mkdtempSync(join(tmpdir(), 'bird-state-')));
    mkdirSync(layout.compaction, { recursive: true });
    return layout;
  };

  it.each([
    ['a number', '7\n', 7],
    ['cut short to nothing', '', 0],
    ['garbage', '\u0000\u00ffzz', 0],
    ['a number that never changes when bumped', 'Infinity\n', 0],
    ['a negative number', '-3\n', 0],
    ['a number past 2^53', '99999999999999999999\n', 0],
  ])('the generation, %s (%j), reads as %i', (_what, text, expected) => {
    const layout = newLayout();
    writeFileSync(join(layout.compaction, 'generation'), text);
    expect(readGeneration(layout)).toBe(expected);
    bumpGeneration(layout);
    expect(readGeneration(layout)).toBe(expected + 1);
  });

  it('a publish intent is one naming files of one partition of the data folders; anything else is unreadable, never followed', () => {
    const layout = newLayout();
    const dir = join(layout.localData, 'invocations', 'date=2025-01-02');
    const intent = { table: 'invocations', date: '2025-01-02', output: join(dir, 'c-00ff.parquet'), sources: [join(dir, 'a.parquet'), join(dir, 'b.parquet')] };
    const write = (value: unknown) => writeFileSync(join(layout.compaction, 'publishing'), typeof value === 'string' ? value : JSON.stringify(value));
    expect(readPublishIntent(layout)).toBeNull();
    write(intent);
    expect(readPublishIntent(layout)).toEqual(intent);
    const cases: unknown[] = [
      JSON.stringify(intent).slice(0, 40), // cut short
      'garbage',
      { ...intent, sources: [join(layout.root, 'config.toml')] }, // outside the data folders
      { ...intent, sources: ['/etc/passwd'] },
      { ...intent, output: join(dir, 'not-merged.parquet') },
      { ...intent, date: '2025-01-03' }, // not the output's partition
      { ...intent, table: 'nope' },
      { ...intent, sources: [join(dir, '..', 'date=2025-01-01', 'x.parquet')] },
      { ...intent, sources: 'a.parquet' },
    ];
    for (const bad of cases) {
      write(bad);
      expect(readPublishIntent(layout), JSON.stringify(bad)).toBe('unreadable');
    }
  });

  it('finishing publishes worked out from the files rolls each forward; with none, the generation moves on and the intent goes', () => {
    const layout = newLayout();
    const dir = join(layout.localData, 'invocations', 'date=2025-01-02');
    mkdirSync(dir, { recursive: true });
    for (const name of ['c-01.parquet', 'a.parquet', 'b.parquet']) writeFileSync(join(dir, name), 'x');
    writeFileSync(join(layout.compaction, 'publishing'), 'garbage');
    const kept = keepUnreadableIntent(layout)!;
    expect(readFileSync(kept, 'utf8')).toBe('garbage');
    expect(existsSync(join(layout.compaction, 'publishing'))).toBe(true); // readers keep waiting until it is finished
    finishPublishes(layout, [{ table: 'invocations', date: '2025-01-02', output: join(dir, 'c-01.parquet'), sources: [join(dir, 'a.parquet')] }]);
    expect(readdirSync(dir).sort()).toEqual(['b.parquet', 'c-01.parquet']);
    expect(existsSync(join(layout.compaction, 'publishing'))).toBe(false);
    expect(readGeneration(layout)).toBe(1);
    writeFileSync(join(layout.compaction, 'publishing'), 'garbage');
    finishPublishes(layout, []);
    expect(existsSync(join(layout.compaction, 'publishing'))).toBe(false);
    expect(readGeneration(layout)).toBe(2);
  });

  it('a day whose ids were recorded after the last bump of the generation is a publish that did not finish', () => {
    const layout = newLayout();
    expect(unfinishedPublishDay(layout)).toBeNull();
    recordMergedIds(layout, 'invocations', '2025-01-02', ['0190f000-0000-7000-8000-000000000001']);
    expect(unfinishedPublishDay(layout)).toEqual({ table: 'invocations', date: '2025-01-02' }); // no generation at all
    bumpGeneration(layout);
    expect(unfinishedPublishDay(layout)).toBeNull();
    const later = new Date(Date.now() + 5000);
    recordMergedIds(layout, 'sessions', '2025-01-03', ['s-1']);
    utimesSync(mergedIdsPath(layout, 'sessions', '2025-01-03'), later, later);
    expect(unfinishedPublishDay(layout)).toEqual({ table: 'sessions', date: '2025-01-03' });
    expect(newestMergedIds(layout)).toMatchObject({ table: 'sessions', date: '2025-01-03' });
  });

  it.each([
    ['as recordMergedIds wrote it', 'a\nb\n', true],
    ['missing', null, false],
    ['cut short to nothing', '', false],
    ['cut mid-line', 'a\nb', false],
    ['garbage', 'not an id at all\n', false],
  ])('an ids file %s looks sound: %s', (_what, text, sound) => {
    const layout = newLayout();
    const id = (n: number) => `0190f000-0000-7000-8000-00000000000${n}`;
    if (text !== null) {
      mkdirSync(dirname(mergedIdsPath(layout, 'invocations', '2025-01-02')), { recursive: true });
      writeFileSync(mergedIdsPath(layout, 'invocations', '2025-01-02'), text.replace('a', id(1)).replace('b', id(2)));
    }
    expect(mergedIdsLookSound(layout, '2025-01-02')).toBe(sound);
  });
});
