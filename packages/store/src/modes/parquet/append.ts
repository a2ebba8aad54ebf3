// Parquet mode's capture write: every record its own file, written under `db/tmp/` and renamed
// into `db/data/local/<table>/date=…/` (writer-parquet's ParquetRecordWriter), so any number of
// shells write at once and a reader never sees half a file. Light on purpose: this is the hot
// path of `bird-capture`, and it never loads DuckDB.
import { readMergedIds, tryCompactionLock, type BirdLayout } from '@bird/core';
import { ParquetRecordWriter } from '@bird/writer-parquet';
import { withoutForgotten } from '../forgotten.ts';
import { journalStored } from '../journal-stored.ts';
import { StoreBusy } from '../store-busy.ts';
import type { AppendOptions, AppendResult, CapturedCommand } from '../storage-mode.ts';

/**
 * A file's name comes from its row's id, so writing a command again replaces its file with the
 * same bytes. But a compaction may have merged that file away since (PROTOCOL.md, "The other
 * writers"): a redo then writes it again beside the merged copy, and the row would show twice. So
 * a redo takes the compaction lock (never waited for: a drainer blocked on it would hold up every
 * other claim) and skips every id on the merged-ids record.
 */
export async function appendParquet(layout: BirdLayout, all: readonly CapturedCommand[], options: AppendOptions = {}): Promise<AppendResult> {
  // A command forgotten since it was spooled (or redone after) is not stored again.
  const commands = withoutForgotten(layout, all);
  if (commands.length === 0) return { written: 0, problems: [] };
  const lock = options.redo ? tryCompactionLock(layout) : null;
  if (options.redo && !lock) throw new StoreBusy();
  try {
    let wanted = commands;
    if (lock) {
      const merged = new Map<string, Set<string>>();
      const mergedOn = (date: string) => merged.get(date) ?? merged.set(date, readMergedIds(layout, 'invocations', date)).get(date)!;
      wanted = commands.filter((c) => !mergedOn(c.invocation.date).has(c.invocation.id));
    }
    const mergedIn = (table: 'outputs' | 'events') => {
      const byDate = new Map<string, Set<string>>();
      return (date: string, id: string) => lock !== null && (byDate.get(date) ?? byDate.set(date, readMergedIds(layout, table, date)).get(date)!).has(id);
    };
    const outputMerged = mergedIn('outputs');
    const eventMerged = mergedIn('events');
    const writer = new ParquetRecordWriter(layout);
    for (const c of wanted) {
      writer.registerSessionSync(c.session);
      writer.writeInvocationSync(c.invocation);
    }
    // Outputs after every command: a kill in between leaves commands without outputs, never the reverse.
    // A command a compaction merged away still gets the outputs a kill kept from it.
    for (const c of commands) for (const o of c.outputs ?? []) if (!outputMerged(o.date, o.id)) writer.writeOutputSync(o);
    // Events after outputs, for the same reason: never an event without its command.
    for (const c of commands) for (const e of c.events ?? []) if (!eventMerged(e.date, e.id)) writer.writeEventSync(e);
    // Every command is stored (a skipped one by the merged file that holds it): all are journaled.
    const problem = journalStored(layout, commands.map((c) => c.invocation));
    return { written: wanted.length, problems: problem ? [problem] : [] };
  } finally {
    lock?.release();
  }
}
