// Tombstones (core's tombstones.ts) keep forgotten commands out of every way rows come in.
import { forgotten, hasTombstones, type BirdLayout } from '@bird/core';
import type { DuckDBConnection } from '@duckdb/node-api';
import { NO_COMMANDS, stageRemoval } from './remove.ts';
import type { CapturedCommand } from './storage-mode.ts';

/** The commands not forgotten here. One listing when nothing ever was (the capture path). */
export function withoutForgotten<T extends Pick<CapturedCommand, 'invocation'>>(layout: BirdLayout, commands: readonly T[]): readonly T[] {
  if (!hasTombstones(layout)) return commands;
  const gone = forgotten(layout);
  return commands.filter((c) => !gone.has(c.invocation.client_id, c.invocation.id));
}

/**
 * Stages `gone` (every command forgotten here, by id and series) on `connection` for removedRows
 * to use; false when nothing was forgotten here (then nothing need be filtered).
 */
export async function stageForgotten(connection: DuckDBConnection, layout: BirdLayout): Promise<boolean> {
  if (!hasTombstones(layout)) return false;
  await stageRemoval(connection, forgotten(layout).all, NO_COMMANDS);
  return true;
}
