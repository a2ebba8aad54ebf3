/**
 * Capture's way into the store (`@bird/store/append`): the modes' append, and whether a day is
 * due a compaction, with nothing else loaded. `bird-capture` runs on every command, so this entry
 * imports only what parquet mode's write needs; duckdb mode's is loaded when a store in that mode
 * asks for it. The same functions are what storageModeOf gives everyone else.
 */
import type { BirdConfig, BirdLayout, EventRow } from '@bird/core';
import { appendParquet } from './parquet/append.ts';
import { parquetCompactionDue } from './parquet/compaction-due.ts';
import type { AppendOptions, AppendResult, CapturedCommand, ReplacedCommand } from './storage-mode.ts';

export type { AppendOptions, AppendResult, CapturedCommand, ReplacedCommand } from './storage-mode.ts';
export { StoreBusy } from './store-busy.ts';

export async function appendCommands(layout: BirdLayout, config: BirdConfig, commands: readonly CapturedCommand[], options: AppendOptions = {}): Promise<AppendResult> {
  switch (config.storage.mode) {
    case 'parquet':
      return appendParquet(layout, commands, options);
    case 'duckdb':
      // Bundled with capture but evaluated only here: a parquet-mode capture never loads DuckDB.
      return (await import('./duckdb/append.ts')).appendDuckdb(layout, commands);
  }
}

/**
 * `commands`' events replaced by `events` (`bird events --reparse`): each command keeps its old
 * events or gets its new ones, whatever instant a kill comes at; a rerun gives the same rows.
 * Both modes' DuckDB work, so loaded only here.
 */
export async function replaceEvents(layout: BirdLayout, config: BirdConfig, commands: readonly ReplacedCommand[], events: readonly EventRow[]): Promise<void> {
  switch (config.storage.mode) {
    case 'parquet':
      return (await import('./parquet/replace-events.ts')).replaceEventsParquet(layout, commands, events);
    case 'duckdb':
      return (await import('./duckdb/replace-events.ts')).replaceEventsDuckdb(layout, commands, events);
  }
}

/** True when `date` of this machine's commands is due a compaction (never in duckdb mode: it has no small files). */
export function compactionDue(layout: BirdLayout, config: BirdConfig, date: string): boolean {
  switch (config.storage.mode) {
    case 'parquet':
      return parquetCompactionDue(layout, config, date);
    case 'duckdb':
      return false;
  }
}
