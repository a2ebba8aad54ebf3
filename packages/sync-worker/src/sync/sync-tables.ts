import type { SyncConfig, TableName } from '@bird/core';

/** The tables `[sync]` lets travel; sessions go with the invocations that ran in them. */
export function syncedTables(sync: SyncConfig): Set<TableName> {
  const out = new Set<TableName>();
  if (sync.sync_invocations) out.add('invocations').add('sessions');
  if (sync.sync_outputs) out.add('outputs');
  if (sync.sync_events) out.add('events');
  return out;
}
