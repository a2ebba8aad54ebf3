import { OUTPUT_FORMATS, type OutputFormat } from '../format/result-set.ts';
import { renderResult } from '../format/render-result.ts';
import { oneOf, parseFlags } from '../args.ts';
import { tableWidth, type CliContext } from '../context.ts';
import { connect, FULL } from '../store-access.ts';
import { USAGE } from '../usage.ts';
import { usageError } from '@bird/core';

/** `bird sql "QUERY" [--format table|csv|json]`: a full connection (remotes, macros). */
export async function run(args: string[], ctx: CliContext): Promise<void> {
  const { values, positionals } = parseFlags(args, { format: { type: 'string', short: 'f' } }, USAGE.sql, { min: 1, max: 1 });
  const format: OutputFormat = values.format === undefined ? 'table' : oneOf('--format', values.format as string, OUTPUT_FORMATS);
  const query = positionals[0]!;
  if (query.trim() === '') throw usageError(`the query is empty; usage: ${USAGE.sql}`);
  const connection = await connect(ctx, FULL);
  try {
    const result = await connection.query(query);
    ctx.stdout.write(renderResult(result, format, { maxWidth: tableWidth(ctx.stdout), terminal: ctx.stdout.isTTY }));
  } finally {
    connection.close();
  }
}
