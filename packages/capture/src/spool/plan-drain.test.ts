import { describe, expect, it } from 'vitest';
import { judgeClaim, planDrain, type DrainWorld } from './plan-drain.ts';
import { compareClaims, parseSpoolName } from './spool-names.ts';

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
    ['100.vm-100-1-2.spool.600.claim', { kind: 'claim', claimerPid: 600, seq: 0 }],
    ['100.vm-100-1-2.spool.600.3.claim', { kind: 'claim', claimerPid: 600, seq: 3, spool: { name: '100.vm-100-1-2.spool' } }],
    ['100.vm-100-1-2.7.spool.600.12.claim', { kind: 'claim', claimerPid: 600, seq: 12, spool: { appendable: false } }],
    ['100.vm-100-1-2.spool.600.0.claim', null],
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
      actions: [{ kind: 'claim', from: '100.s.spool', to: '100.s.spool.500.1.claim', recreate: true }],
    },
    {
      name: 'claims a dead shell’s spool without recreating it',
      listing: [['200.s.spool', 90]],
      actions: [{ kind: 'claim', from: '200.s.spool', to: '200.s.spool.500.1.claim', recreate: false }],
    },
    {
      name: 'never recreates fish’s one-record files',
      listing: [['100.s.3.spool', 90]],
      actions: [{ kind: 'claim', from: '100.s.3.spool', to: '100.s.3.spool.500.1.claim', recreate: false }],
    },
    { name: 'leaves an empty spool of a live shell alone', listing: [['100.s.spool', 0]], actions: [] },
    { name: 'removes an empty spool of a dead shell', listing: [['200.s.spool', 0]], actions: [{ kind: 'remove', name: '200.s.spool' }] },
    { name: 'leaves a claim of a live drainer alone', listing: [['100.s.spool.600.claim', 90]], actions: [] },
    {
      name: 'takes over a claim whose drainer died',
      listing: [['100.s.spool.700.claim', 90]],
      actions: [{ kind: 'reclaim', from: '100.s.spool.700.claim', to: '100.s.spool.500.1.claim' }],
    },
    {
      name: 'takes over a claim with its own pid it does not remember (left before a reboot)',
      listing: [['100.s.spool.500.1.claim', 90]],
      actions: [{ kind: 'reclaim', from: '100.s.spool.500.1.claim', to: '100.s.spool.500.2.claim' }],
    },
    { name: 'skips claims it is working on', listing: [['100.s.spool.500.1.claim', 90]], over: { myClaims: new Set(['100.s.spool.500.1.claim']) }, actions: [] },
    // The cases below lost commands when claims of one spool shared one name: the second
    // rename replaced the first claim, records and all.
    {
      name: 'claims a live spool again while its older claim is held (grace period, failed write)',
      listing: [['100.s.spool', 40], ['100.s.spool.500.1.claim', 90]],
      over: { myClaims: new Set(['100.s.spool.500.1.claim']) },
      actions: [{ kind: 'claim', from: '100.s.spool', to: '100.s.spool.500.2.claim', recreate: true }],
    },
    {
      name: 'a live spool and a dead drainer’s claim of it get two names',
      listing: [['100.s.spool', 40], ['100.s.spool.700.1.claim', 90]],
      actions: [
        { kind: 'claim', from: '100.s.spool', to: '100.s.spool.500.1.claim', recreate: true },
        { kind: 'reclaim', from: '100.s.spool.700.1.claim', to: '100.s.spool.500.2.claim' },
      ],
    },
    {
      name: 'an old-style claim (no number) and the live spool get two names',
      listing: [['100.s.spool.700.claim', 90], ['100.s.spool', 40]],
      actions: [
        { kind: 'reclaim', from: '100.s.spool.700.claim', to: '100.s.spool.500.1.claim' },
        { kind: 'claim', from: '100.s.spool', to: '100.s.spool.500.2.claim', recreate: true },
      ],
    },
    {
      name: 'several dead claims of one spool, one with our own pid, all kept apart',
      listing: [['100.s.spool.500.1.claim', 9], ['100.s.spool.700.1.claim', 9], ['100.s.spool.701.4.claim', 9], ['100.s.spool', 9]],
      over: { myClaims: new Set(['100.s.spool.500.3.claim']) },
      actions: [
        { kind: 'reclaim', from: '100.s.spool.500.1.claim', to: '100.s.spool.500.2.claim' },
        { kind: 'reclaim', from: '100.s.spool.700.1.claim', to: '100.s.spool.500.4.claim' },
        { kind: 'reclaim', from: '100.s.spool.701.4.claim', to: '100.s.spool.500.5.claim' },
        { kind: 'claim', from: '100.s.spool', to: '100.s.spool.500.6.claim', recreate: true },
      ],
    },
    { name: 'takes nothing new once exiting', listing: [['100.s.spool', 90], ['100.s.spool.700.claim', 9]], over: { takeNew: false }, actions: [] },
    { name: 'removes the scratch file of a dead bash', listing: [['200.s.hist', 5], ['100.s.hist', 5]], actions: [{ kind: 'remove', name: '200.s.hist' }] },
    { name: 'ignores everything else', listing: [['drainer.pid', 9], ['notes.txt', 9]], actions: [] },
  ];
  it.each(cases)('$name', ({ listing, over, actions }) => {
    expect(planDrain(listing.map(([name, size]) => ({ name, size })), world(over))).toEqual(actions);
  });

  it('never plans a rename onto a name that exists or onto another rename’s target', () => {
    // Every mix of spools and claims of one shell, as a drainer's listing can find them.
    const pool = ['100.s.spool', '100.s.spool.500.claim', '100.s.spool.500.1.claim', '100.s.spool.500.2.claim', '100.s.spool.700.1.claim', '100.s.spool.700.claim', '100.s.spool.600.1.claim'];
    for (let mask = 1; mask < 1 << pool.length; mask++) {
      const names = pool.filter((_, i) => mask & (1 << i));
      for (const held of [[], names.filter((n) => n.includes('.500.')).slice(0, 1)]) {
        const actions = planDrain(names.map((name) => ({ name, size: 10 })), world({ myClaims: new Set(held) }));
        const targets = actions.flatMap((a) => (a.kind === 'remove' ? [] : [a.to]));
        expect(new Set(targets).size).toBe(targets.length);
        for (const t of targets) expect(names).not.toContain(t);
        for (const t of targets) expect(held).not.toContain(t);
      }
    }
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

describe('compareClaims', () => {
  it('puts a fish session\'s one-shot files in the order its commands ran, whatever order the folder lists them in', () => {
    const names = ['100.s-1.10.spool.7.1.claim', '100.s-1.9.spool.7.2.claim', '200.s-2.spool.7.3.claim', '100.s-1.2.spool.7.4.claim'];
    expect([...names].sort(compareClaims).filter((n) => n.startsWith('100.'))).toEqual(['100.s-1.2.spool.7.4.claim', '100.s-1.9.spool.7.2.claim', '100.s-1.10.spool.7.1.claim']);
  });
});
