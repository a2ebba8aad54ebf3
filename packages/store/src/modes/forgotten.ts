// Tombstones (core's tombstones.ts) keep forgotten commands out of every way rows come in.
import { forgottenIds, hasTombstones, type BirdLayout } from '@bird/core';
import type { DuckDBConnection } from '@duckdb/node-api';
import { stageRemoval } from './remove.ts';
import type { CapturedCommand } from './storage-mode.ts';

/** The commands not forgotten here. One listing when nothing ever was (the capture path). */
export function withoutForgotten<T extends Pick<CapturedCommand, 'invocation'>>(layout: BirdLayout, commands: readonly T[]): readonly T[] {
  if (!hasTombstones(layout)) return commands;
  const gone = forgottenIds(layout);
  return commands.filter((c) => !gone.has(c.invocation.id));
}

/**
 * Stages `gone` (the forgotten ids) on `connection` for REMOVED_ROWS to use; false when nothing
 * was forgotten here (then nothing need be filtered).
 */
export async function stageForgotten(connection: DuckDBConnection, layout: BirdLayout): Promise<boolean> {
  if (!hasTombstones(layout)) return false;
  await stageRemoval(connection, [...forgottenIds(layout)], '(SELECT NULL::VARCHAR AS id, NULL::VARCHAR AS session_id WHERE false)');
  return true;
}
