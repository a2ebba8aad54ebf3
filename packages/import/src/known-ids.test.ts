import { describe, expect, it } from 'vitest';
import { contentUuidv7 } from '@bird/core';
import { KnownIdsBuilder, knownIdsOf } from './known-ids.ts';

const ids = Array.from({ length: 2000 }, (_, i) => contentUuidv7(1_600_000_000_000 + (i % 50) * 60_000, `entry ${i}`));

describe('knownIdsOf', () => {
  it('holds exactly the ids given, and no neighbour of them', () => {
    const known = knownIdsOf(ids.slice(0, 1000));
    expect(known.size).toBe(1000);
    for (const id of ids.slice(0, 1000)) expect(known.has(id)).toBe(true);
    for (const id of ids.slice(1000)) expect(known.has(id)).toBe(false);
  });

  it.each([
    ['an id one hex digit off at its end', (id: string) => id.slice(0, 35) + (id[35] === '0' ? '1' : '0')],
    ['an id one hex digit off at its start', (id: string) => (id[0] === '0' ? '1' : '0') + id.slice(1)],
    ['the id in upper case (no import makes one)', (id: string) => id.toUpperCase()],
    ['the id without its dashes', (id: string) => id.replaceAll('-', '')],
  ])('does not take %s for it', (_name, change) => {
    const known = knownIdsOf(ids);
    for (const id of ids.slice(0, 50)) expect(known.has(change(id))).toBe(false);
  });

  it('leaves out what is no UUID, and repeats, without failing the rest', () => {
    const known = knownIdsOf([ids[0]!, 'not-an-id', '', ids[0]!, `${ids[1]!}x`, ids[2]!]);
    expect(known.size).toBe(2);
    expect([known.has(ids[0]!), known.has(ids[1]!), known.has(ids[2]!), known.has('not-an-id')]).toEqual([true, false, true, false]);
  });

  it('is empty when given nothing', () => {
    expect(knownIdsOf([]).has(ids[0]!)).toBe(false);
  });

  it('leaves out an id given out of order (a reader that sorts ascending gives none)', () => {
    const [low, high] = [...ids.slice(0, 2)].sort();
    const builder = new KnownIdsBuilder();
    builder.add(high!);
    builder.add(low!);
    const known = builder.build();
    expect([known.has(high!), known.has(low!)]).toEqual([true, false]);
  });
});
