import { usageError } from '@bird/core';
import { oneOf, parseFlags } from '../args.ts';
import { tableWidth, type CliContext } from '../context.ts';
import { renderResult } from '../format/render-result.ts';
import { OUTPUT_FORMATS, type OutputFormat } from '../format/result-set.ts';
import { renderTable } from '../format/table.ts';
import { EMPTY_INDEX } from '@bird/history-index';
import { openHistory } from '../history-source.ts';
import { historyResult, historyTable, parseCount } from '../history-view.ts';
import { inCapturingShell, storeNotYetMade } from '../layout.ts';
import { HOST_SOURCE_FLAGS, hostSourceFilter } from '../row-filter.ts';
import { USAGE } from '../usage.ts';

const DEFAULT_COUNT = 20;

/** Before a hooked shell's first command is stored (`bird stats` then says "No commands yet."). */
const NOTHING_YET = "No commands yet: this shell's hook records each command when it finishes (bird's own commands are not recorded).\n";

/**
 * `bird history [TEXT] [-n N] [--reverse] [--host H] [--source S]`: the most recent commands
 * (containing TEXT, of that host or source), newest first.
 */
export async function run(args: string[], ctx: CliContext): Promise<void> {
  const { values, positionals } = parseFlags(
    args,
    { n: { type: 'string', short: 'n' }, format: { type: 'string', short: 'f' }, reverse: { type: 'boolean', short: 'r' }, ...HOST_SOURCE_FLAGS },
    USAGE.history,
    { min: 0, max: Infinity },
  );
  let count = DEFAULT_COUNT;
  if (values.n !== undefined) {
    const parsed = parseCount(values.n as string);
    if (parsed === undefined) throw usageError(`-n must be a whole number of at least 1, not ${JSON.stringify(values.n)}.`);
    count = parsed;
  }
  const format: OutputFormat = values.format === undefined ? 'table' : oneOf('--format', values.format as string, OUTPUT_FORMATS);
  // Right after a hook is sourced there is no store until the shell records a command: an
  // empty history. Otherwise the history index, not DuckDB: this answers in milliseconds
  // (DuckDB alone takes ~400 ms to start).
  const notYet = storeNotYetMade(ctx);
  const { index } = notYet ? { index: EMPTY_INDEX } : await openHistory(ctx);
  // Nothing recorded yet in a hooked shell (no store, or an empty one): said in words to a person.
  if (format === 'table' && index.size === 0 && (notYet || inCapturingShell(ctx.env))) {
    ctx.stdout.write(NOTHING_YET);
    return;
  }
  const result = historyResult(index, count, { text: positionals.join(' '), reverse: values.reverse === true, filter: hostSourceFilter(values) });
  // The table is fitted to the terminal by historyTable itself: the command gets the room.
  ctx.stdout.write(format === 'table' ? renderTable(historyTable(result, ctx.env.HOME, { maxWidth: tableWidth(ctx.stdout) })) : renderResult(result, format));
}
