import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BirdError } from './errors.ts';
import { birdLayout, type BirdLayout } from './paths.ts';
import { commandFingerprint, forgotten, hasTombstones, readTombstones, writeTombstones, type Tombstone } from './tombstones.ts';

let base: string;
let layout: BirdLayout;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'bird-tombstones-'));
  layout = birdLayout(join(base, 'root'));
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

const stone = (id: string, series = 'me@box', extra: Partial<Tombstone> = {}): Tombstone => ({ id, series, at: '2026-12-07T00:00:00Z', by: 'me@box', why: 'forget', ...extra });

describe('tombstones', () => {
  it('are none on a store that never forgot anything, and no folder is made to say so', () => {
    expect(hasTombstones(layout)).toBe(false);
    expect(forgotten(layout).size).toBe(0);
    expect(readTombstones(layout)).toEqual([]);
  });

  it('read back what was written, one forget per file, each command by its series', () => {
    writeTombstones(layout, [stone('a1'), stone('a2', 'mate@other')]);
    writeTombstones(layout, [stone('a1', 'mate@other', { why: 'retention' })]);
    const gone = forgotten(layout);
    expect(hasTombstones(layout)).toBe(true);
    expect(gone.has('me@box', 'a1')).toBe(true);
    expect(gone.has('mate@other', 'a2')).toBe(true);
    expect(gone.has('mate@other', 'a1')).toBe(true);
    // a forget holds only in its own series
    expect(gone.has('me@box', 'a2')).toBe(false);
    expect(gone.size).toBe(3);
  });

  it('sees a forget written after the last read (the drainer keeps its copy only while the folder is unchanged)', () => {
    writeTombstones(layout, [stone('a1')]);
    expect(forgotten(layout).has('me@box', 'b2')).toBe(false);
    writeTombstones(layout, [stone('b2')]);
    expect(forgotten(layout).has('me@box', 'b2')).toBe(true);
  });

  it('recognise a forgotten command by its text near its start, and any start for a history line with none', () => {
    writeTombstones(layout, [stone('a1', 'me@box', { cmdHash: commandFingerprint('ssh prod'), startUs: '1000000000' })]);
    const gone = forgotten(layout);
    expect(gone.wasForgotten('ssh prod', 1_000_500_000n, 1_000_000n)).toBe(true);
    expect(gone.wasForgotten('ssh prod', 1_002_000_000n, 1_000_000n)).toBe(false);
    expect(gone.wasForgotten('ssh prod', null, 1_000_000n)).toBe(true);
    expect(gone.wasForgotten('ssh staging', null, 1_000_000n)).toBe(false);
  });

  it('leave out lines a crash or a hand damaged, and keep the rest of the file', () => {
    mkdirSync(layout.tombstones, { recursive: true });
    const lines = [
      JSON.stringify(stone('good1')),
      '{"id":"half',
      JSON.stringify(stone('../../etc/passwd')),
      JSON.stringify(stone('a\nb')),
      JSON.stringify({ ...stone('bad-why'), why: 'because' }),
      JSON.stringify({ ...stone('no-series'), series: '' }),
      JSON.stringify({ ...stone('bad-hash'), cmdHash: 'xyz', startUs: '5' }),
      '[]',
      'null',
      JSON.stringify(stone('good2')),
    ];
    writeFileSync(join(layout.tombstones, '0000.jsonl'), lines.join('\n'));
    expect(readTombstones(layout).map((t) => t.id)).toEqual(['good1', 'bad-hash', 'good2']);
    // a fingerprint that is not one is dropped, not trusted
    expect(readTombstones(layout).find((t) => t.id === 'bad-hash')?.cmdHash).toBeUndefined();
  });

  it('stop whoever asks when the folder is there but cannot be read, naming it and what to do', () => {
    mkdirSync(layout.dbDir, { recursive: true });
    writeFileSync(layout.tombstones, 'not a folder');
    const attempt = () => hasTombstones(layout);
    expect(attempt).toThrow(BirdError);
    expect(attempt).toThrow(`cannot read ${layout.tombstones}`);
    expect(attempt).toThrow(/make it readable/);
    expect(() => forgotten(layout)).toThrow(BirdError);
  });
});
