// Tombstones (core's tombstones.ts) keep forgotten commands out of every way rows come in.
import { forgotten, hasTombstones, type BirdLayout } from '@bird/core';
import type { DuckDBConnection } from '@duckdb/node-api';
import { NO_COMMANDS, stageRemoval } from './remove.ts';
import type { CapturedCommand } from './storage-mode.ts';

/**
 * A day of slack for a clock set back between a command's start and a forget of it: a tombstone
 * file's age and a command's start come from the same machine's clock.
 */
const CLOCK_SLACK_MS = 86_400_000;

/**
 * The commands not forgotten here (by id, or by a range forget of their series), for the capture
 * path: one listing when nothing ever was. Only tombstones written since the earliest command
 * started are read (a forget takes a command only once it is stored, and a range forget of this
 * machine's own series never reaches past the moment it is written), so a capture costs the same
 * however many commands were ever forgotten.
 */
export function withoutForgotten<T extends Pick<CapturedCommand, 'invocation'>>(layout: BirdLayout, commands: readonly T[]): readonly T[] {
  if (commands.length === 0 || !hasTombstones(layout)) return commands;
  const earliestMs = commands.reduce((ms, c) => Math.min(ms, Number(c.invocation.timestamp / 1000n)), Infinity);
  const gone = forgotten(layout, earliestMs - CLOCK_SLACK_MS);
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
