// `bird doctor`'s "rows not pulled" behind a teammate's checkpoint (LAKE.md, "Checkpoints"):
// the segments before it are gone, so the count reads the checkpoint as a pull does, and says
// exactly the rows the next pull brings. A folder lake and the S3-compatible server.
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestBackends } from '../packages/remote/src/testing/backends.ts';
import { buildBundles } from './cli-helpers.ts';
import { batchEntry as entry, invocationRow, putBatch, putHead, putLakeFormat, putSegment, segmentObjectKey, seriesKey } from './support/hostile-teammate.ts';
import { BIRD, doPull, idsFrom, newClient, removeObject, runAs } from './support/sync-clients.ts';
import { teamLake } from './support/team-machine.ts';

const backends = useTestBackends();
beforeAll(() => buildBundles());

const THEM = 'them@x';
const segKey = (seq: number) => segmentObjectKey(THEM, seq);
const rows = (n: number, tag: string) => Array.from({ length: n }, (_, i) => invocationRow(THEM, { cmd: `'${tag} ${i}'` })).join(' UNION ALL ');

describe.each(['file', 's3'] as const)('doctor behind a checkpoint (%s lake)', (kind) => {
  it("counts the rows the checkpoint lists past this machine's cursor and the pushes after it, as many as the pull then brings", async () => {
    const team = teamLake(backends, kind);
    const mate = await newClient('mate@there', team);
    const put = (seq: number, doc: Record<string, unknown>) => putSegment(team, THEM, seq, doc);
    const head = (seq: number, checkpoint?: number) => putHead(team, THEM, seq, checkpoint);
    await putLakeFormat(team);
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((x) => seriesKey(THEM, x.repeat(32))) as [string, string, string, string];

    await putBatch(team, a, rows(2, 'a'));
    await put(1, { batches: [entry(a, 2)] });
    await head(1);
    await doPull(mate); // cursor 1
    await putBatch(team, b, rows(3, 'b'));
    await put(2, { batches: [entry(b, 3)] });
    await putBatch(team, c, rows(4, 'c'));
    await put(3, { batches: [entry(c, 4)] });
    await put(4, { checkpoint: true, batches: [entry(a, 2, { seq: 1 }), entry(b, 3, { seq: 2 }), entry(c, 4, { seq: 3 })] });
    await putBatch(team, d, rows(5, 'd'));
    await put(5, { batches: [entry(d, 5)] });
    await head(5, 4);
    for (const seq of [1, 2, 3]) await removeObject(team, segKey(seq));

    const doctor = await runAs(mate, ['doctor'], { bundle: BIRD });
    expect(doctor.stdout).toMatch(/\nok {4}team: last pull \d+s ago; 12 rows in 2 index segments of 1 teammate not pulled yet\n/);
    const before = (await idsFrom(mate, 'team')).length;
    await doPull(mate);
    expect((await idsFrom(mate, 'team')).length - before).toBe(12);
  });
});
