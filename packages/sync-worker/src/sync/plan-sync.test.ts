import { describe, expect, it } from 'vitest';
import { advanceDatabaseCursor, planDatabaseRead, planFetch, planHeadReads, readFrom, rowsToPull, skipMergedTaken, type DatabaseCursor, type DatabaseRead, type KnownBatch } from './plan-sync.ts';

describe('planHeadReads', () => {
  const heads = [
    { client: 'me@here', etag: 'm1' },
    { client: 'bob@b', etag: 'b2' },
    { client: 'carol@c', etag: 'c1' },
  ];
  it.each([
    ['first pull: every head but mine', {}, undefined, ['bob@b', 'carol@c']],
    ['only heads whose etag changed', { 'bob@b': { seq: 1, etag: 'b1' }, 'carol@c': { seq: 1, etag: 'c1' } }, undefined, ['bob@b']],
    ['nothing changed: nothing read (a no-op pull is one listing)', { 'bob@b': { seq: 2, etag: 'b2' }, 'carol@c': { seq: 1, etag: 'c1' } }, undefined, []],
    ['a series read by listing is read again only when its head changed', { 'bob@b': { seq: 0, etag: 'b2', listed: ['k'], damage: 'x' }, 'carol@c': { seq: 1, etag: 'c0', listed: [], damage: 'y' } }, undefined, ['carol@c']],
    ['--client names one series', {}, 'carol@c', ['carol@c']],
    ['--client may name my own', {}, 'me@here', ['me@here']],
    ['--client of nobody', {}, 'dan@d', []],
  ])('%s', (_, cursors, only, expected) => {
    expect(planHeadReads(heads, cursors, new Set(['me@here']), only)).toEqual(expected);
  });
});

describe('planFetch', () => {
  const b = (key: string, table: KnownBatch['table'], date: string): KnownBatch => ({ key, table, date, rows: 1, bytes: 1, client: 'bob@b' });
  const all = new Set(['invocations', 'sessions', 'outputs', 'events'] as const);
  it.each([
    ['everything', [b('1', 'invocations', '2024-06-01')], { tables: all }, ['1'], []],
    ['--since defers older days', [b('1', 'invocations', '2024-06-01'), b('2', 'invocations', '2024-06-09')], { tables: all, since: '2024-06-05' }, ['2'], ['1']],
    ['the since day itself is fetched', [b('1', 'invocations', '2024-06-05')], { tables: all, since: '2024-06-05' }, ['1'], []],
    ['a table not synced waits', [b('1', 'outputs', '2024-06-01')], { tables: new Set(['invocations'] as const) }, [], ['1']],
    ['a batch named twice (deferred and read again) is fetched once', [b('1', 'invocations', '2024-06-01'), b('1', 'invocations', '2024-06-01')], { tables: all }, ['1'], []],
  ])('%s', (_, batches, filter, fetch, defer) => {
    const plan = planFetch(batches, filter);
    expect(plan.fetch.map((x) => x.key)).toEqual(fetch);
    expect(plan.defer.map((x) => x.key)).toEqual(defer);
  });
});

describe('planDatabaseRead', () => {
  const all: DatabaseRead = { client: null, since: null, tables: 'invocations,sessions' };
  const read = (over: Partial<DatabaseRead>): DatabaseRead => ({ ...all, ...over });
  const cursor = (etag: string, ...reads: DatabaseRead[]): DatabaseCursor => ({ etag, reads });
  it.each<[string, DatabaseCursor | undefined, DatabaseRead, boolean]>([
    ['never read', undefined, all, true],
    ['unchanged, read whole before', cursor('e1', all), all, false],
    ['changed since', cursor('e0', all), all, true],
    ['unchanged, a later --since is covered by a whole read', cursor('e1', all), read({ since: '2024-06-01' }), false],
    ['unchanged, only --since 2024-06-05 read: a whole read is not covered', cursor('e1', read({ since: '2024-06-05' })), all, true],
    ['unchanged, --since 2024-06-05 read: --since 2024-06-07 is covered', cursor('e1', read({ since: '2024-06-05' })), read({ since: '2024-06-07' }), false],
    ['unchanged, --since 2024-06-05 read: --since 2024-06-01 is not', cursor('e1', read({ since: '2024-06-05' })), read({ since: '2024-06-01' }), true],
    ['unchanged, another --client read', cursor('e1', read({ client: 'bob@b' })), all, true],
    ['unchanged, the same --client read', cursor('e1', read({ client: 'bob@b' })), read({ client: 'bob@b' }), false],
    ['unchanged, fewer tables were synced then', cursor('e1', read({ tables: 'invocations' })), all, true],
  ])('%s', (_, before, wanted, expected) => {
    expect(planDatabaseRead(before, 'e1', wanted)).toBe(expected);
  });
});

describe('advanceDatabaseCursor', () => {
  const all: DatabaseRead = { client: null, since: null, tables: 'invocations,sessions' };
  const since = (day: string): DatabaseRead => ({ ...all, since: day });
  it.each<[string, DatabaseCursor | undefined, string, DatabaseRead, DatabaseCursor]>([
    ['a first read', undefined, 'e1', all, { etag: 'e1', reads: [all] }],
    ['a new version forgets the reads of the old one', { etag: 'e0', reads: [all] }, 'e1', since('2024-06-01'), { etag: 'e1', reads: [since('2024-06-01')] }],
    ['a wider read replaces the narrower one it covers', { etag: 'e1', reads: [since('2024-06-05')] }, 'e1', since('2024-06-01'), { etag: 'e1', reads: [since('2024-06-01')] }],
    ['reads of other clients are kept', { etag: 'e1', reads: [{ ...all, client: 'bob@b' }] }, 'e1', all, { etag: 'e1', reads: [{ ...all, client: 'bob@b' }, all] }],
  ])('%s', (_, before, etag, read, after) => {
    expect(advanceDatabaseCursor(before, etag, read)).toEqual(after);
  });
});

describe('skipMergedTaken', () => {
  const plain: KnownBatch = { key: 'new', table: 'invocations', date: '2026-12-01', rows: 1, bytes: 1, client: 'bob@b' };
  const merged = (upTo: number, replaces = ['x', 'y']): KnownBatch => ({ ...plain, key: `m${upTo}`, replaces, upTo });
  it.each<[string, KnownBatch[], number, string[], string[]]>([
    ['a batch of new rows is fetched', [plain], 99, [], ['new']],
    ['a merge of batches this machine took (its cursor was past upTo) is not fetched', [merged(5)], 5, [], []],
    ['a newcomer fetches every merge', [merged(5)], 0, [], ['m5']],
    ['a puller behind upTo fetches it (it has not taken every replaced batch)', [merged(7)], 6, [], ['m7']],
    ['a replaced batch still pending here (deferred, or not found when fetched): fetched', [merged(5)], 9, ['y'], ['m5']],
    ['a merge without upTo (left out as bad) is fetched', [{ ...plain, key: 'bad', replaces: ['x'] }], 9, [], ['bad']],
  ])('%s', (_, batches, cursor, pending, expected) => {
    expect(skipMergedTaken(batches, cursor, new Set(pending)).map((b) => b.key)).toEqual(expected);
  });
});

describe('readFrom', () => {
  it.each<[string, number, number | undefined, number]>([
    ['no checkpoint: from the cursor', 10, undefined, 10],
    ['behind the checkpoint: just before it', 10, 65, 64],
    ['at the segment before it: the same', 64, 65, 64],
    ['past the checkpoint: from the cursor', 70, 65, 70],
  ])('%s', (_, cursor, checkpoint, expected) => {
    expect(readFrom(cursor, checkpoint)).toBe(expected);
  });
});

describe('rowsToPull', () => {
  const batch = (key: string, rows: number, more: Partial<KnownBatch> = {}): KnownBatch => ({ key, table: 'invocations', date: '2026-12-01', rows, bytes: 1, client: 'bob@b', ...more });
  const tables = new Set(['invocations'] as const);
  it.each<[string, KnownBatch[], string[], number, string[], number]>([
    ['plain segments after the cursor: every row', [batch('a', 3), batch('b', 4)], [], 2, [], 7],
    ['a table not synced is not counted', [batch('a', 3), batch('o', 9, { table: 'outputs' })], [], 2, [], 3],
    ["a checkpoint's entries first listed at or before the cursor were taken", [batch('a', 3, { seq: 1 }), batch('b', 4, { seq: 2 }), batch('c', 5, { seq: 3 })], [], 2, [], 5],
    ['a checkpoint entry with no seq (first listed by it, or not known) is counted', [batch('a', 3, { seq: 1 }), batch('c', 5)], [], 2, [], 5],
    ['a newcomer counts every entry of the checkpoint', [batch('a', 3, { seq: 1 }), batch('b', 4, { seq: 2 })], [], 0, [], 7],
    ['a taken entry still pending here is counted', [batch('a', 3, { seq: 1 }), batch('b', 4, { seq: 2 })], [], 2, ['b'], 4],
    ["a merge of batches the cursor passed is not fetched: not counted", [batch('m', 7, { replaces: ['a', 'b'], upTo: 2, seq: 3 })], [], 2, [], 0],
    ['a merge the cursor is behind is counted', [batch('m', 7, { replaces: ['a', 'b'], upTo: 4 })], [], 2, [], 7],
    ['a batch a later segment withdrew is not counted', [batch('a', 3), batch('b', 4)], ['a'], 0, [], 4],
    ['a batch the checkpoint lists again (after a segment read before it) is counted once', [batch('c', 5), batch('c', 5, { seq: 64 })], [], 63, [], 5],
  ])('%s', (_, batches, withdrawn, cursor, pending, rows) => {
    expect(rowsToPull({ batches, withdrawn }, cursor, new Set(pending), tables)).toBe(rows);
  });
});
