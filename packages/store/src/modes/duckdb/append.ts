// duckdb mode's capture write: rows INSERTed into `local.*` of bird.duckdb (writer-duckdb's
// DuckDbRecordWriter: inserts skip ids already there; while another process holds the catalog the
// rows are spilled as Parquet and taken in by the next compaction). The writer is opened per
// call: bird.duckdb is held read-write only for the moment of the inserts.
import type { BirdLayout } from '@bird/core';
import { DuckDbRecordWriter } from '@bird/writer-duckdb';
import { markEventsWritten } from '../../events-present.ts';
import { withoutForgotten } from '../forgotten.ts';
import { journalStored } from '../journal-stored.ts';
import type { AppendResult, CapturedCommand } from '../storage-mode.ts';

export async function appendDuckdb(layout: BirdLayout, all: readonly CapturedCommand[]): Promise<AppendResult> {
  const commands = withoutForgotten(layout, all);
  if (commands.length === 0) return { written: 0, problems: [] };
  if (commands.some((c) => (c.events?.length ?? 0) > 0)) markEventsWritten(layout);
  const writer = await DuckDbRecordWriter.open(layout);
  try {
    for (const c of commands) {
      await writer.registerSession(c.session);
      await writer.writeInvocation(c.invocation);
    }
    // Outputs after every command: a kill in between leaves commands without outputs, never the reverse.
    for (const c of commands) for (const o of c.outputs ?? []) await writer.writeOutput(o);
    for (const c of commands) for (const e of c.events ?? []) await writer.writeEvent(e);
  } finally {
    await writer.close();
  }
  const problem = journalStored(layout, commands.map((c) => c.invocation));
  return { written: commands.length, problems: problem ? [problem] : [] };
}
