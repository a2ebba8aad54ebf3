/**
 * Forgetting commands, as `bird forget` and the search's forget key both do it: which stored
 * commands there are (read from main.invocations), and the forget itself, tombstones first.
 */
import { commandFingerprint, loadConfig, settleClientId, writeTombstones, type BirdLayout, type Tombstone, type TombstoneReason } from '@bird/core';
import type { BirdConnection, RemoveResult } from '@bird/store';
import type { StoredCommand } from './plan-forget.ts';

/** The stored commands a condition over main.invocations selects (`WHERE …`, or '' for all). */
export async function readStoredCommands(conn: Pick<BirdConnection, 'query'>, where: string): Promise<StoredCommand[]> {
  const { rows } = await conn.query(`SELECT id, cmd, epoch_us("timestamp"), _source, client_id FROM main.invocations ${where}`);
  return rows.flatMap((r) => (r[0] === null || r[1] === null ? [] : [{ id: String(r[0]), cmd: String(r[1]), startUs: Number(r[2]), source: String(r[3]), clientId: String(r[4] ?? '') }]));
}

/**
 * Forgets `commands` (this machine's, as planForget chose them): removed from everything stored
 * here with what hangs off them. The tombstones are written first, durably: a forget cut short is
 * finished by running it again, and nothing (a redo, an import, a pull) brings these commands
 * back meanwhile.
 */
export async function forgetCommands(layout: BirdLayout, env: NodeJS.ProcessEnv, commands: readonly Pick<StoredCommand, 'id' | 'cmd' | 'startUs' | 'clientId'>[], now = new Date(), why: TombstoneReason = 'forget'): Promise<RemoveResult> {
  const by = await settleClientId(layout, env);
  const at = now.toISOString();
  writeTombstones(layout, commands.map((c): Tombstone => ({ id: c.id, series: c.clientId, at, by, why, cmdHash: commandFingerprint(c.cmd), startUs: String(c.startUs) })));
  // The store (and DuckDB with it) only now: everything before is cheap.
  const { storageModeOf, sweepBlobsOfStore } = await import('@bird/store');
  const removed = await storageModeOf(layout, loadConfig(layout)).remove(commands.map((c) => ({ id: c.id, series: c.clientId })));
  // What they printed goes with them, once no row names it (a blob a run holds waits for the next removal or compaction).
  await sweepBlobsOfStore(layout, warnBlobs);
  return removed;
}

/** The sweep's warnings (a redo record that cannot be read) go where bird's warnings go. */
const warnBlobs = (message: string) => process.stderr.write(`bird: warning: ${message}\n`);
