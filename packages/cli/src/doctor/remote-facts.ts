// Each remote's health for `bird doctor`: `bird remote test`'s checks (all but the write, which
// would put an object on the remote), this store's sync state, the rows a push would send, and
// the teammates' rows the next pull would bring. The remotes are checked at once, and the
// count runs beside them, so an unreachable endpoint costs its timeout once, not once each.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeError, resolveClientId, type BirdConfig, type BirdLayout, type RemoteConfig } from '@bird/core';
import type { CliContext } from '../context.ts';
import { checkRemote, type Report } from '../remote-checks.ts';
import { lockOptions } from '../store-access.ts';
import type { Counted, RemoteCheckLine, RemoteFacts, RowsNotPulledFacts } from './doctor-facts.ts';

/** Teammates' segments read to count their rows, at most, per remote: a few seconds on a slow S3. */
export const SEGMENT_BUDGET = 256;
/** How long the count waits for a catalog another process holds (unless BIRD_LOCK_TIMEOUT_MS says). */
const STORE_WAIT_MS = 5000;

const sentence = (error: unknown) => describeError(error).replace(/^bird: /, '').split('\n')[0]!;

type Unpushed = Counted<Readonly<Record<string, number>>>;

export async function gatherRemotes(ctx: CliContext, layout: BirdLayout, config: BirdConfig): Promise<RemoteFacts[]> {
  if (config.remotes.length === 0) return [];
  const { isPushable } = await import('@bird/sync-worker');
  const pushable = config.remotes.filter((r) => isPushable(r, layout.root));
  const [counts, remotes] = await Promise.all([
    pushable.length > 0 ? countUnpushed(ctx, layout, config, pushable) : new Map<string, Unpushed>(),
    Promise.all(config.remotes.map((r) => remoteFacts(ctx, layout, config, r, pushable.includes(r)))),
  ]);
  return remotes.map((r) => ({ ...r, unpushed: r.pushable ? (counts.get(r.name) ?? null) : null }));
}

async function remoteFacts(ctx: CliContext, layout: BirdLayout, config: BirdConfig, remote: RemoteConfig, pushable: boolean): Promise<Omit<RemoteFacts, 'unpushed'>> {
  const { countRowsNotPulled, localSyncStatus, ownSeries, pendingKeys, planPullBacklog, readPullStatus, syncedTables, syncPaths } = await import('@bird/sync-worker');
  const checks: RemoteCheckLine[] = [];
  const report: Report = (status, check, text) => void checks.push({ status, check, text });
  let notPulled: Counted<RowsNotPulledFacts> | null = null;
  let listedSeries: RemoteFacts['listedSeries'] = [];
  await checkRemote(remote, report, {
    clientId: resolveClientId(ctx.env, config.client_id),
    write: false,
    whileOpen: async (backend, health) => {
      // A lake no bird indexed is listed whole by every pull: what is new there is not known cheaply.
      if (health === null || !health.indexed) return;
      const own = ownSeries(syncPaths(layout, remote.name), config, ctx.env);
      const state = readPullStatus(layout, remote.name, backend.location);
      const plan = planPullBacklog(state, health.heads, own);
      listedSeries = plan.listed;
      const scratch = await mkdtemp(join(tmpdir(), 'bird-doctor-'));
      try {
        const counted = await countRowsNotPulled(backend, plan.behind, syncedTables(config.sync), scratch, SEGMENT_BUDGET, pendingKeys(state));
        notPulled = { ok: true, value: { ...counted, series: plan.behind.length } };
      } catch (error) {
        notPulled = { ok: false, why: sentence(error) };
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    },
  });
  return { name: remote.name, type: remote.type, uri: remote.uri, mode: remote.mode, pushable, checks, sync: localSyncStatus(layout, remote.name), notPulled, listedSeries };
}

/** The rows each pushable remote has not received, counted through one read-only connection to the store. */
async function countUnpushed(ctx: CliContext, layout: BirdLayout, config: BirdConfig, remotes: readonly RemoteConfig[]): Promise<Map<string, Unpushed>> {
  const out = new Map<string, Unpushed>();
  const { countUnpushedRows } = await import('@bird/sync-worker');
  const { ConnectionOptions, openStore } = await import('@bird/store');
  let conn;
  try {
    conn = await openStore(layout, { lockTimeoutMs: STORE_WAIT_MS, ...lockOptions(ctx), onWarning: () => undefined }).connect(ConnectionOptions.minimal());
  } catch (error) {
    for (const r of remotes) out.set(r.name, { ok: false, why: sentence(error) });
    return out;
  }
  try {
    for (const r of remotes) {
      try {
        out.set(r.name, { ok: true, value: Object.fromEntries(await countUnpushedRows(conn, layout, config, r.name, ctx.env)) });
      } catch (error) {
        out.set(r.name, { ok: false, why: sentence(error) });
      }
    }
  } finally {
    conn.close();
  }
  return out;
}
