/**
 * A quick look at a lake's index, for `bird remote test` and `bird doctor`: the format object,
 * and each client's head and the last segment it names. Two reads per series, so its cost grows
 * with the number of clients, not with what they pushed; damage deeper in a log is found by the
 * pulls that walk it (and repaired by `bird remote repair` on its owner's machine).
 */
import PQueue from 'p-queue';
import { readLakeFormat, type RemoteBackend } from '@bird/remote';
import { listHeads, readHead, readLog } from './series-index.ts';

export interface LakeHealth {
  /** False for a lake no bird pushed to yet (no `_bird/lake.json`). */
  readonly indexed: boolean;
  /** Clients with a head. */
  readonly series: number;
  /** One sentence per damaged object. */
  readonly damage: readonly string[];
  /** The segment each readable head names, by client (what a pull compares its cursors with). */
  readonly heads: readonly { readonly client: string; readonly seq: number; readonly checkpoint?: number }[];
}

const CONCURRENCY = 8;

export async function checkLakeIndex(backend: RemoteBackend, remote: string, scratch: string): Promise<LakeHealth> {
  const damage: string[] = [];
  const seqs: { client: string; seq: number; checkpoint?: number }[] = [];
  const format = await readLakeFormat(backend, remote, scratch, (d) => damage.push(d.message));
  const heads = await listHeads(backend);
  const queue = new PQueue({ concurrency: CONCURRENCY });
  await Promise.all(
    heads.map((h) =>
      queue.add(async () => {
        const head = await readHead(backend, h.client, scratch);
        if (head.kind === 'damaged') damage.push(head.damage.message);
        if (head.kind !== 'present') return;
        seqs.push({ client: h.client, seq: head.head.seq, ...(head.head.checkpoint !== undefined ? { checkpoint: head.head.checkpoint } : {}) });
        if (head.head.seq === 0) return;
        const log = await readLog(backend, h.client, head.head.seq - 1, head.head.seq, scratch);
        if (log.damage) damage.push(log.damage.message);
      }),
    ),
  );
  return { indexed: format !== null || heads.length > 0, series: heads.length, damage: damage.sort(), heads: seqs.sort((a, b) => (a.client < b.client ? -1 : a.client > b.client ? 1 : 0)) };
}
