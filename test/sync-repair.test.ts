// A lake's index damaged at each position (the format object, a head, a segment, a batch):
// deleted, truncated, garbled, or lying. Pullers never stay broken: they say so once, read the
// damaged series by listing it, and get every row once. The owner's next push, or
// `bird remote repair`, rewrites the index, and pulls follow it again. Real lakes: a folder
// and the S3-compatible server.
import { beforeAll, describe, expect, it } from 'vitest';
import type { RemoteConfig } from '@bird/core';
import { useTestBackends } from '../packages/remote/src/testing/backends.ts';
import { tempDir } from '../packages/store/src/testing/fixtures.ts';
import { loadConfig } from '@bird/core';
import { repairRemote } from '../packages/sync-worker/src/index.ts';
import { buildBundles } from './cli-helpers.ts';
import { BIRD, capture, doPull, doPush, idsFrom, listKeys, newClient, putObject, removeObject, runAs } from './support/sync-clients.ts';

const backends = useTestBackends();
beforeAll(() => buildBundles());

let lakes = 0;
function lake(kind: 'file' | 's3'): RemoteConfig {
  lakes++;
  return kind === 'file'
    ? { name: 'team', type: 'file', uri: tempDir('bird-repair-lake-'), mode: 'read_write', auto_attach: false }
    : { name: 'team', type: 's3', uri: `s3://lake/repair${lakes}`, endpoint: backends.s3().endpoint, mode: 'read_write', auto_attach: false };
}

const HEAD = '_bird/heads/owner@o.json';
const SEGMENT2 = '_bird/log/owner@o/000000000002.json';

/** What is done to the lake, and whether the owner's next push notices it by itself (its own head is what broke). */
const DAMAGES: [string, (remote: RemoteConfig) => Promise<void>, 'push' | 'repair'][] = [
  ['the format object garbled', (r) => putObject(r, '_bird/lake.json', 'not json {'), 'push'],
  ['the head truncated', (r) => putObject(r, HEAD, ''), 'push'],
  ['the head garbled', (r) => putObject(r, HEAD, '{"seq": 3, "client": "owner@o"'), 'push'],
  ['the head lying: a billion segments', (r) => putObject(r, HEAD, JSON.stringify({ version: 1, client: 'owner@o', seq: 1_000_000_000 })), 'repair'],
  ['a segment deleted', (r) => removeObject(r, SEGMENT2), 'repair'],
  ['a segment truncated', (r) => putObject(r, SEGMENT2, ''), 'repair'],
  ['a segment garbled', (r) => putObject(r, SEGMENT2, JSON.stringify({ x: 1 })), 'repair'],
  ['a segment claiming to be another', (r) => putObject(r, SEGMENT2, JSON.stringify({ version: 1, client: 'owner@o', seq: 7, batches: [] })), 'repair'],
  [
    'a batch deleted',
    async (r) => {
      const key = (await listKeys(r, 'invocations/client=owner@o/date=2024-06-02/'))[0]!;
      await removeObject(r, key);
    },
    'repair',
  ],
];

describe.each(['file', 's3'] as const)('a damaged index (%s lake)', (kind) => {
  it.each(DAMAGES)('%s: pulls go on, each row once; then the index is rewritten and followed again', async (what, damage, fixedBy) => {
    const remote = lake(kind);
    const owner = await newClient('owner@o', remote);
    const early = await newClient('early@e', remote); // pulled before the damage
    const late = await newClient('late@l', remote); // pulls for the first time after it
    for (const day of ['2024-06-01', '2024-06-02', '2024-06-03']) {
      await capture(owner, 2, day, day);
      expect((await doPush(owner)).problems).toEqual([]);
      if (day === '2024-06-01') await doPull(early);
    }
    await damage(remote);
    const lost = what === 'a batch deleted' ? 2 : 0; // its rows are gone from the lake: nobody can pull them, until the owner pushes them again
    for (const c of [early, late]) {
      const warnings: string[] = [];
      await doPull(c, { onWarning: (m) => warnings.push(m) });
      expect(warnings, 'one warning naming what is damaged').toHaveLength(1);
      expect(warnings[0]).toMatch(/^remote team: _bird\/|^remote team: invocations\//);
      expect((await idsFrom(c, 'team')).length).toBe(owner.captured.length - lost);
      // Said once: the next pull, with nothing new, is quiet and adds nothing.
      expect(await doPull(c)).toMatchObject({ rows: 0 });
    }

    // The owner's next push mends its own head; `bird remote repair` mends the rest.
    await capture(owner, 2, '2024-06-04', 'after');
    if (fixedBy === 'push') {
      const warnings: string[] = [];
      expect((await doPush(owner, { onWarning: (m) => warnings.push(m) })).problems).toEqual([]);
      expect(warnings.length).toBeLessThanOrEqual(1);
    } else {
      const first = await doPush(owner);
      if (first.problems.length > 0) expect(first.problems[0]).toMatch(/bird remote repair team/);
      const repaired = await runAs(owner, ['remote', 'repair', 'team'], { bundle: BIRD });
      expect(repaired).toMatchObject({ code: 0, stderr: '' });
      expect(repaired.stdout).toMatch(/^team: series owner@o: /);
      expect((await doPush(owner)).problems).toEqual([]);
    }
    const test = await runAs(owner, ['remote', 'test', 'team'], { bundle: BIRD });
    expect(test.stdout).toMatch(/\nok {4}index: intact \(1 series\)\n$/);
    // The repair took the ledger from what the lake holds: rows it lost were pushed again.
    for (const c of [early, late]) {
      await doPull(c); // throws on any warning: the index is followed again
      expect((await idsFrom(c, 'team')).sort()).toEqual([...owner.captured].sort());
    }
    const fresh = await newClient('fresh@f', remote);
    await doPull(fresh);
    expect((await idsFrom(fresh, 'team')).sort()).toEqual([...owner.captured].sort());
  });

  it('the head deleted: pullers cannot tell (no head, no series), and the owner\'s next push puts it back whole', async () => {
    const remote = lake(kind);
    const owner = await newClient('owner@o', remote);
    const early = await newClient('early@e', remote);
    await capture(owner, 2, '2024-06-01', 'one');
    await doPush(owner);
    await doPull(early);
    await capture(owner, 2, '2024-06-02', 'two');
    await doPush(owner);
    await removeObject(remote, HEAD);
    expect(await doPull(early)).toMatchObject({ rows: 0 });
    const warnings: string[] = [];
    await capture(owner, 2, '2024-06-03', 'three');
    expect((await doPush(owner, { onWarning: (m) => warnings.push(m) })).problems).toEqual([]);
    expect(warnings).toEqual(['remote team: the index of series owner@o is gone from the lake; this push rewrites it from what the lake holds.']);
    await doPull(early);
    expect((await idsFrom(early, 'team')).sort()).toEqual([...owner.captured].sort());
  });

  it('bird remote test names a damaged index, and repair on another machine than the owner changes nothing of the owner\'s', async () => {
    const remote = lake(kind);
    const owner = await newClient('owner@o', remote);
    await capture(owner, 2);
    await doPush(owner);
    await putObject(remote, SEGMENT2.replace('000000000002', '000000000001'), 'garbage');
    const test = await runAs(owner, ['remote', 'test', 'team'], { bundle: BIRD });
    expect(test.code).toBe(1);
    expect(test.stdout).toMatch(/\nFAIL {2}index: _bird\/log\/owner@o\/000000000001\.json is not valid JSON; pulls read the damaged series by listing it, and its owner's `bird remote repair team` rewrites it\.\n$/);
    const other = await newClient('other@x', remote);
    const result = await repairRemote(other.layout, loadConfig(other.layout), remote, { env: other.env });
    expect(result.series).toEqual([]); // other@x has no series there
    expect((await runAs(owner, ['remote', 'test', 'team'], { bundle: BIRD })).code).toBe(1);
  });
});

