import { describe, expect, it } from 'vitest';
import { judgeClaim, planDrain, type DrainWorld } from './plan-drain.ts';
import { parseSpoolName } from './spool-names.ts';

const ME = 500;
const world = (over: Partial<DrainWorld> = {}): DrainWorld => ({
  myPid: ME,
  myClaims: new Set(),
  isShellAlive: (pid) => pid === 100 || pid === ME,
  isDrainerAlive: (pid) => pid === 600,
  takeNew: true,
  ...over,
});

describe('parseSpoolName', () => {
  it.each([
    ['100.vm-100-1-2.spool', { kind: 'spool', ownerPid: 100, appendable: true }],
    ['100.vm-100-1-2.7.spool', { kind: 'spool', ownerPid: 100, appendable: false }],
    ['100.vm-100-1-2.spool.600.claim', { kind: 'claim', claimerPid: 600 }],
    ['100.vm-100-1-2.hist', { kind: 'hist', ownerPid: 100 }],
    ['drainer.pid', null],
    ['100.a/b.spool', null],
    ['x.spool.600.claim', null],
  ])('%s', (name, expected) => {
    const parsed = parseSpoolName(name);
    if (expected === null) expect(parsed).toBeNull();
    else expect(parsed).toMatchObject(expected);
  });
});

describe('planDrain', () => {
  const cases: { name: string; listing: [string, number][]; over?: Partial<DrainWorld>; actions: unknown[] }[] = [
    {
      name: 'claims a live shell’s spool and recreates it for the next append',
      listing: [['100.s.spool', 90]],
      actions: [{ kind: 'claim', from: '100.s.spool', to: '100.s.spool.500.claim', recreate: true }],
    },
    {
      name: 'claims a dead shell’s spool without recreating it',
      listing: [['200.s.spool', 90]],
      actions: [{ kind: 'claim', from: '200.s.spool', to: '200.s.spool.500.claim', recreate: false }],
    },
    {
      name: 'never recreates fish’s one-record files',
      listing: [['100.s.3.spool', 90]],
      actions: [{ kind: 'claim', from: '100.s.3.spool', to: '100.s.3.spool.500.claim', recreate: false }],
    },
    { name: 'leaves an empty spool of a live shell alone', listing: [['100.s.spool', 0]], actions: [] },
    { name: 'removes an empty spool of a dead shell', listing: [['200.s.spool', 0]], actions: [{ kind: 'remove', name: '200.s.spool' }] },
    { name: 'leaves a claim of a live drainer alone', listing: [['100.s.spool.600.claim', 90]], actions: [] },
    {
      name: 'takes over a claim whose drainer died',
      listing: [['100.s.spool.700.claim', 90]],
      actions: [{ kind: 'reclaim', from: '100.s.spool.700.claim', to: '100.s.spool.500.claim' }],
    },
    {
      name: 'takes over a claim with its own pid it does not remember (left before a reboot)',
      listing: [['100.s.spool.500.claim', 90]],
      actions: [{ kind: 'reclaim', from: '100.s.spool.500.claim', to: '100.s.spool.500.claim' }],
    },
    { name: 'skips claims it is working on', listing: [['100.s.spool.500.claim', 90]], over: { myClaims: new Set(['100.s.spool.500.claim']) }, actions: [] },
    { name: 'takes nothing new once exiting', listing: [['100.s.spool', 90], ['100.s.spool.700.claim', 9]], over: { takeNew: false }, actions: [] },
    { name: 'removes the scratch file of a dead bash', listing: [['200.s.hist', 5], ['100.s.hist', 5]], actions: [{ kind: 'remove', name: '200.s.hist' }] },
    { name: 'ignores everything else', listing: [['drainer.pid', 9], ['notes.txt', 9]], actions: [] },
  ];
  it.each(cases)('$name', ({ listing, over, actions }) => {
    expect(planDrain(listing.map(([name, size]) => ({ name, size })), world(over))).toEqual(actions);
  });
});

describe('judgeClaim', () => {
  it.each([
    [{ consumed: 10, size: 10, quietMs: 0, shellAlive: true }, 'keep'],
    [{ consumed: 10, size: 10, quietMs: 2000, shellAlive: true }, 'done'],
    [{ consumed: 10, size: 10, quietMs: 0, shellAlive: false }, 'done'],
    [{ consumed: 5, size: 10, quietMs: 2000, shellAlive: true }, 'keep'],
    [{ consumed: 5, size: 10, quietMs: 10_000, shellAlive: true }, 'torn'],
    [{ consumed: 5, size: 10, quietMs: 0, shellAlive: false }, 'torn'],
  ] as const)('%j → %s', (progress, verdict) => {
    expect(judgeClaim(progress, 2000, 10_000)).toBe(verdict);
  });
});
