import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BirdError } from './errors.ts';
import { birdLayout, type BirdLayout } from './paths.ts';
import { readdirSync } from 'node:fs';
import { checkInstant, commandFingerprint, forgotten, hasTombstones, noteRangesRemoved, readRangeTombstones, readTombstones, unfinishedRanges, writeRangeTombstones, writeTombstones, type RangeTombstone, type Tombstone } from './tombstones.ts';

let base: string;
let layout: BirdLayout;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'bird-tombstones-'));
  layout = birdLayout(join(base, 'root'));
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

const range = (series: string, before: string, why: Tombstone['why'] = 'retention'): RangeTombstone => ({ series, before, at: '2026-12-07T00:00:00.000Z', by: 'me@box', why });
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

  it('read, when asked for those written since an instant, only the files written since (their UUIDv7 names say when)', () => {
    const old = writeTombstones(layout, [stone('old1')]);
    // As if written in 2020: the name is all that tells when.
    renameSync(old, join(layout.tombstones, '016f5e66-e800-7000-8000-000000000000.jsonl'));
    writeTombstones(layout, [stone('new1')]);
    writeFileSync(join(layout.tombstones, 'not-a-uuid.jsonl'), `${JSON.stringify(stone('odd1'))}\n`);
    const recent = forgotten(layout, Date.parse('2026-01-01T00:00:00Z'));
    expect(['old1', 'new1', 'odd1'].filter((id) => recent.has('me@box', id))).toEqual(['new1', 'odd1']);
    expect(['old1', 'new1', 'odd1'].filter((id) => forgotten(layout).has('me@box', id))).toEqual(['old1', 'new1', 'odd1']);
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

  it('hold a range forget: every command of its series that started before the cutoff, by its start, and no other series', () => {
    writeRangeTombstones(layout, [range('me@box', '2026-01-01T00:00:00.000Z')]);
    const gone = forgotten(layout);
    const cutoff = BigInt(Date.parse('2026-01-01T00:00:00.000Z')) * 1000n;
    expect(gone.has('me@box', 'any-id', cutoff - 1n)).toBe(true);
    expect(gone.has('me@box', 'any-id', cutoff)).toBe(false); // at the cutoff: kept
    expect(gone.has('me@box', 'any-id')).toBe(false); // no start given: by id only
    expect(gone.has('mate@other', 'any-id', cutoff - 1n)).toBe(false);
    expect(gone.before('me@box', 0n)).toBe(true);
    expect(gone.rangeOf('me@box')?.before).toBe('2026-01-01T00:00:00.000Z');
  });

  it('keep one file of range forgets: a later cutoff of the same series replaces the older files, nothing else does', () => {
    writeTombstones(layout, [stone('a1')]);
    writeRangeTombstones(layout, [range('me@box', '2026-01-01T00:00:00.000Z'), range('old@id', '2026-01-01T00:00:00.000Z')]);
    writeRangeTombstones(layout, [range('mate@other', '2030-01-01T00:00:00.000Z', 'forget')]);
    writeRangeTombstones(layout, [range('me@box', '2026-01-02T00:00:00.000Z'), range('old@id', '2026-01-02T00:00:00.000Z')]);
    writeRangeTombstones(layout, [range('me@box', '2026-01-03T00:00:00.000Z')]); // old@id not covered: the file before stays
    expect(readdirSync(layout.tombstones).filter((n) => n.endsWith('.jsonl'))).toHaveLength(4);
    const gone = forgotten(layout);
    expect(gone.ranges.map((r) => `${r.series} ${r.before}`).sort()).toEqual(['mate@other 2030-01-01T00:00:00.000Z', 'me@box 2026-01-03T00:00:00.000Z', 'old@id 2026-01-02T00:00:00.000Z']);
    expect(gone.has('me@box', 'a1')).toBe(true);
    // an earlier cutoff written later (a pull of an old segment) does not move it back
    writeRangeTombstones(layout, [range('me@box', '2025-06-01T00:00:00.000Z')]);
    expect(forgotten(layout).rangeOf('me@box')?.before).toBe('2026-01-03T00:00:00.000Z');
  });

  it('read a range forget as untrusted: an instant that is not one bird writes is a damaged line, left out', () => {
    mkdirSync(layout.tombstones, { recursive: true });
    const lines = [
      JSON.stringify(range('me@box', '2026-01-01T00:00:00.000Z')),
      JSON.stringify(range('a@b', '2026-01-01')),
      JSON.stringify(range('c@d', '2026-13-01T00:00:00.000Z')),
      JSON.stringify(range('e@f', '2026-02-30T00:00:00.000Z')),
      JSON.stringify(range('g@h', 'tomorrow')),
      JSON.stringify({ ...range('i@j', '2026-01-01T00:00:00.000Z'), before: 1767225600000 }),
      JSON.stringify({ ...range('', '2026-01-01T00:00:00.000Z') }),
      JSON.stringify({ ...range('k@l', '2026-01-01T00:00:00.000Z'), why: 'whim' }),
    ];
    writeFileSync(join(layout.tombstones, '0000.jsonl'), lines.join('\n'));
    expect(readRangeTombstones(layout).map((r) => r.series)).toEqual(['me@box']);
    expect(readTombstones(layout)).toEqual([]);
    expect(checkInstant('2026-01-01T00:00:00.000Z')).toBe('2026-01-01T00:00:00.000Z');
    expect(checkInstant('2026-01-01T00:00:00Z')).toBeNull();
  });

  it('know which range forgets were removed to the end; one whose note is missing or damaged is removed again', () => {
    writeRangeTombstones(layout, [range('me@box', '2026-01-01T00:00:00.000Z'), range('mate@other', '2026-01-01T00:00:00.000Z')]);
    expect(unfinishedRanges(layout).map((r) => r.series).sort()).toEqual(['mate@other', 'me@box']);
    noteRangesRemoved(layout, [range('me@box', '2026-01-01T00:00:00.000Z')]);
    expect(unfinishedRanges(layout).map((r) => r.series)).toEqual(['mate@other']);
    writeRangeTombstones(layout, [range('me@box', '2026-02-01T00:00:00.000Z')]); // moved on: not removed yet
    expect(unfinishedRanges(layout).map((r) => r.series).sort()).toEqual(['mate@other', 'me@box']);
    noteRangesRemoved(layout, forgotten(layout).ranges);
    expect(unfinishedRanges(layout)).toEqual([]);
    writeFileSync(layout.rangesRemoved, '{"me@box": "yesterday", "mate@other": 5');
    expect(unfinishedRanges(layout).map((r) => r.series).sort()).toEqual(['mate@other', 'me@box']);
  });
});
