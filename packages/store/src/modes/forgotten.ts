// Tombstones (core's tombstones.ts) keep forgotten commands out of every way rows come in.
import { forgotten, hasTombstones, type BirdLayout } from '@bird/core';
import type { DuckDBConnection } from '@duckdb/node-api';
import { NO_COMMANDS, stageRemoval } from './remove.ts';
import type { CapturedCommand } from './storage-mode.ts';

/** The commands not forgotten here (by id, or by a range forget of their series). One listing when nothing ever was (the capture path). */
export function withoutForgotten<T extends Pick<CapturedCommand, 'invocation'>>(layout: BirdLayout, commands: readonly T[]): readonly T[] {
  if (!hasTombstones(layout)) return commands;
  const gone = forgotten(layout);
  return commands.filter((c) => !gone.has(c.invocation.client_id, c.invocation.id, c.invocation.timestamp));
}

/**
 * Stages `gone`, `gone_before` and `gone_ids` (every command forgotten here, by id and series, and
 * every range forget) on `connection` for removedRows to use; false when nothing was forgotten
 * here (then nothing need be filtered). `invocations`: commands whose outputs and events a range
 * forget takes too (those of commands arriving with them); none by default.
 */
export async function stageForgotten(connection: DuckDBConnection, layout: BirdLayout, invocations = NO_COMMANDS): Promise<boolean> {
  if (!hasTombstones(layout)) return false;
  const gone = forgotten(layout);
  await stageRemoval(connection, gone.all, invocations, gone.ranges);
  return true;
}
