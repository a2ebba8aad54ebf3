import { parseCommand } from '../args.ts';
import { COMMAND_SPECS } from '../command-specs.ts';
import { tableWidth, type CliContext } from '../context.ts';
import { renderResult } from '../format/render-result.ts';
import type { OutputFormat, ResultSet } from '../format/result-set.ts';
import { renderTable } from '../format/table.ts';
import { DamagedSnapshot, EMPTY_INDEX, mergeRows, wholeHistory } from '@bird/history-index';
import { PROJECT_SOURCE, openHistory, openRecentOrStore, projectHistoryRows } from '../history-source.ts';
import { historyResult, historyTable, newestMatching, newestMatchingOf, type HistoryOptions } from '../history-view.ts';
import { inCapturingShell, storeNotYetMade } from '../layout.ts';
import { hostSourceFilter } from '../row-filter.ts';

const DEFAULT_COUNT = 20;

/** Before a hooked shell's first command is stored (`bird stats` then says "No commands yet."). */
const NOTHING_YET = "No commands yet: this shell's hook records each command when it finishes (bird's own commands are not recorded).\n";

/**
 * `bird history [TEXT] [-n N] [--reverse] [--host H] [--source S] [--project]`: the most recent
 * commands (containing TEXT, of that host or source; with the project store's), newest first.
 */
export async function run(args: string[], ctx: CliContext): Promise<void> {
  const { values, operands } = parseCommand(COMMAND_SPECS.history, args);
  const count = values.limit ?? DEFAULT_COUNT;
  const format = values.format ?? 'table';
  // Right after a hook is sourced there is no store until the shell records a command: an
  // empty history. Otherwise the history index, not DuckDB: this answers in milliseconds
  // (DuckDB alone takes ~400 ms to start).
  const notYet = storeNotYetMade(ctx);
  const options: HistoryOptions = { text: operands.join(' '), reverse: values.reverse === true, filter: hostSourceFilter(values) };
  let read: { result: ResultSet; empty: boolean };
  if (values.project) {
    // This store's rows and the project's, as one history: the project's are read whole (DuckDB).
    // A command in both (`[project] record`) has one id and is shown once, as yours; asked for the
    // project's alone, it is the project's.
    const projectRows = await projectHistoryRows(ctx);
    const own = notYet || options.filter?.source === PROJECT_SOURCE ? EMPTY_INDEX : (await openHistory(ctx)).index;
    const merged = mergeRows(own, projectRows);
    read = { result: historyResult(merged, count, options), empty: merged.size === 0 };
    return print(ctx, read, format, notYet);
  }
  const opened = notYet ? { recent: wholeHistory(EMPTY_INDEX) } : await openRecentOrStore(ctx);
  if ('store' in opened) {
    // The index is being rebuilt: the same answer, read from the store.
    try {
      read = await newestMatchingOf(opened.store, count, options);
    } finally {
      opened.store.close();
    }
    return print(ctx, read, format, notYet);
  }
  const { recent } = opened;
  try {
    read = newestMatching(recent, count, options);
  } catch (error) {
    if (!(error instanceof DamagedSnapshot)) throw error;
    // A part of the snapshot read in place is damaged: the whole read checks it all, and rebuilds.
    const { index } = await openHistory(ctx);
    read = { result: historyResult(index, count, options), empty: index.size === 0 };
  } finally {
    recent.close();
  }
  print(ctx, read, format, notYet);
}

function print(ctx: CliContext, read: { result: ResultSet; empty: boolean }, format: OutputFormat, notYet: boolean): void {
  // Nothing recorded yet in a hooked shell (no store, or an empty one): said in words to a person.
  if (format === 'table' && read.empty && (notYet || inCapturingShell(ctx.env))) {
    ctx.stdout.write(NOTHING_YET);
    return;
  }
  const { result } = read;
  // The table is fitted to the terminal by historyTable itself: the command gets the room.
  ctx.stdout.write(format === 'table' ? renderTable(historyTable(result, ctx.env.HOME, { maxWidth: tableWidth(ctx.stdout) })) : renderResult(result, format));
}

