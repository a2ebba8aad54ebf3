// `bird remote repair NAME`: the owner of a series rewrites its index from what the lake really
// holds, and claims it for this store. The steps: PROTOCOL.md, "Repair".
import { clientIdProblem, settleClientId, type BirdConfig, type BirdLayout, type RemoteConfig } from '@bird/core';
import { ConnectionOptions, openStore } from '@bird/store';
import { createRemoteBackend, type RemoteBackend } from '@bird/remote';
import { checkPushable, SYNC_ATTEMPTS } from './push.ts';
import { listSeriesBatches, readHead } from './series-index.ts';
import { rebuildSeries } from './series-rebuild.ts';
import { prepareSyncDirs, seriesPaths, syncPaths, trySyncLock, writeRefusal, writtenSeries } from './sync-state.ts';

export interface RepairOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Only this series (default: every series this store writes, and its own id's). */
  readonly client?: string;
  readonly backend?: RemoteBackend;
}

export interface SeriesRepair {
  readonly client: string;
  readonly seq: number;
  readonly rewrittenSegments: number;
  readonly orphanBatches: number;
}

export interface RepairSummary {
  readonly remote: string;
  readonly outcome: 'done' | 'locked';
  readonly series: readonly SeriesRepair[];
}

/**
 * Rewrites the index of each series this store writes to `remote`: segments that are missing,
 * unreadable or name batches that are gone are written again in place, batches no segment names
 * get a segment of their own, and the head is written with a fresh token. The ledger becomes
 * what the lake holds. Taking a series over is the point: run it on the machine that keeps the id.
 */
export async function repairRemote(layout: BirdLayout, config: BirdConfig, remote: RemoteConfig, options: RepairOptions = {}): Promise<RepairSummary> {
  checkPushable(remote, layout.root);
  const env = options.env ?? process.env;
  const paths = syncPaths(layout, remote.name);
  prepareSyncDirs(paths);
  const lock = trySyncLock(paths);
  if (!lock) return { remote: remote.name, outcome: 'locked', series: [] };
  const backend = options.backend ?? (await createRemoteBackend(remote, { attempts: SYNC_ATTEMPTS }));
  const done: SeriesRepair[] = [];
  try {
    const self = await settleClientId(layout, env);
    const clients = options.client !== undefined ? [options.client] : [...new Set([...writtenSeries(paths), self])].sort();
    const conn = await openStore(layout, { onWarning: () => undefined }).connect(ConnectionOptions.minimal());
    try {
      for (const client of clients) {
        const problem = clientIdProblem(client);
        if (problem) throw new Error(`${JSON.stringify(client)} cannot name a series (${problem}).`);
        // A series with nothing in the lake (an id this store never pushed as) has nothing to repair.
        if ((await readHead(backend, client, paths.scratch)).kind === 'missing' && (await listSeriesBatches(backend, client)).length === 0) continue;
        const series = seriesPaths(paths, client);
        const result = await rebuildSeries({ layout, remote, backend, paths, conn, warn: () => undefined }, series, { requireOwnership: false, rewriteIndex: true });
        writeRefusal(series, null);
        done.push({ client, seq: result.state.seq, rewrittenSegments: result.rewrittenSegments, orphanBatches: result.orphanBatches });
      }
    } finally {
      conn.close();
    }
  } finally {
    if (!options.backend) backend.close();
    lock.release();
  }
  return { remote: remote.name, outcome: 'done', series: done };
}
