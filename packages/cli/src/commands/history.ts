import { usageError } from '@bird/core';
import { oneOf, parseFlags } from '../args.ts';
import { tableWidth, type CliContext } from '../context.ts';
import { renderResult } from '../format/render-result.ts';
import { OUTPUT_FORMATS, type OutputFormat } from '../format/result-set.ts';
import { renderTable } from '../format/table.ts';
import { openHistory } from '../history-source.ts';
import { historyResult, historyTable, parseCount } from '../history-view.ts';
import { HOST_SOURCE_FLAGS, hostSourceFilter } from '../row-filter.ts';
import { USAGE } from '../usage.ts';

const DEFAULT_COUNT = 20;

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
  // The history index, not DuckDB: this answers in milliseconds (DuckDB alone takes ~400 ms to start).
  const { index } = await openHistory(ctx);
  const result = historyResult(index, count, { text: positionals.join(' '), reverse: values.reverse === true, filter: hostSourceFilter(values) });
  // The table is fitted to the terminal by historyTable itself: the command gets the room.
  ctx.stdout.write(format === 'table' ? renderTable(historyTable(result, ctx.env.HOME, { maxWidth: tableWidth(ctx.stdout) })) : renderResult(result, format));
}
