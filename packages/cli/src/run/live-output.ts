// `bird output ID` of a command that is not stored here but is in a remote read live: its rows
// come from `remotes_*()`, its blob from the remote (store's live-blobs.ts), checked on the way.
import { quoteLiteral, type RemoteConfig } from '@bird/core';
import type { CliContext } from '../context.ts';
import { connect, FULL } from '../store-access.ts';
import { outputRowsOf, type StoredOutput } from './stored-output.ts';

/** A command's outputs as a remote read live holds them, and where its blobs are. */
export interface LiveOutputs {
  readonly remote: RemoteConfig;
  /** The command's series (its client_id): its blobs are in that series' blob area. */
  readonly client: string;
  readonly rows: StoredOutput[];
}

/**
 * The outputs of command `id` in the remotes read live (the auto-attach ones, and `attach`),
 * from the first remote (by name) that has the command; null when none has it.
 */
export async function liveOutputsOf(ctx: CliContext, id: string, stream: string | undefined, attach: readonly string[] | 'all', remotes: readonly RemoteConfig[]): Promise<LiveOutputs | null> {
  if (remotes.length === 0) return null;
  // quiet: the connection that looked here first already warned of the spool and config.toml
  const conn = await connect(ctx, { ...FULL, attachOnDemand: attach }, { quiet: true });
  try {
    const found = await conn.query(`SELECT _source, client_id FROM remotes_invocations() WHERE id = ${quoteLiteral(id)} ORDER BY _source LIMIT 1`);
    const [source, client] = (found.rows[0] ?? []) as [unknown, unknown];
    const remote = remotes.find((r) => r.name === source);
    if (remote === undefined) return null;
    const rows = await outputRowsOf(conn, id, stream, 'remotes_outputs()', `_source = ${quoteLiteral(remote.name)}`);
    return { remote, client: String(client ?? ''), rows };
  } finally {
    conn.close();
  }
}
