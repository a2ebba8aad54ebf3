/**
 * Capture's way into the store (`@bird/store/append`): the modes' append, and whether a day is
 * due a compaction, with nothing else loaded. `bird-capture` runs on every command, so this entry
 * imports only what parquet mode's write needs; duckdb mode's is loaded when a store in that mode
 * asks for it. The same functions are what storageModeOf gives everyone else.
 */
import type { BirdConfig, BirdLayout, EventRow } from '@bird/core';
import { appendParquet, appendParquetEvents } from './parquet/append.ts';
import { parquetCompactionDue } from './parquet/compaction-due.ts';
import type { AppendOptions, AppendResult, CapturedCommand } from './storage-mode.ts';

export type { AppendOptions, AppendResult, CapturedCommand } from './storage-mode.ts';
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
 * Events of commands already stored (`bird events --reparse`, after their old events were removed):
 * the rows alone, as append writes them after a command's outputs.
 */
export async function appendEvents(layout: BirdLayout, config: BirdConfig, events: readonly EventRow[]): Promise<void> {
  switch (config.storage.mode) {
    case 'parquet':
      return appendParquetEvents(layout, events);
    case 'duckdb':
      return (await import('./duckdb/append.ts')).appendDuckdbEvents(layout, events);
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
