import { OUTPUT_FORMATS, type OutputFormat } from '../format/result-set.ts';
import { renderResult } from '../format/render-result.ts';
import { oneOf, parseFlags } from '../args.ts';
import { tableWidth, type CliContext } from '../context.ts';
import { connect, FULL } from '../store-access.ts';
import { USAGE } from '../usage.ts';
import { readFileSync } from 'node:fs';
import { usageError } from '@bird/core';

/**
 * `bird sql ["QUERY" | --file FILE] [--format table|csv|json]`: a full connection (remotes,
 * macros). With neither a query nor a file, the query is read from standard input (a pipe or a
 * here-document); `-f` stays --format's short form, as in the other commands.
 */
export async function run(args: string[], ctx: CliContext): Promise<void> {
  const { values, positionals } = parseFlags(args, { format: { type: 'string', short: 'f' }, file: { type: 'string' } }, USAGE.sql, { min: 0, max: 1 });
  const format: OutputFormat = values.format === undefined ? 'table' : oneOf('--format', values.format as string, OUTPUT_FORMATS);
  if (values.file !== undefined && positionals.length > 0) throw usageError(`give the query or --file, not both; usage: ${USAGE.sql}`);
  const query = values.file !== undefined ? readQueryFile(values.file as string) : positionals.length > 0 ? positionals[0]! : readStdin(ctx);
  if (query.trim() === '') throw usageError(`the query is empty; usage: ${USAGE.sql}`);
  const connection = await connect(ctx, FULL);
  try {
    const result = await connection.query(query);
    ctx.stdout.write(renderResult(result, format, { maxWidth: tableWidth(ctx.stdout), terminal: ctx.stdout.isTTY }));
  } finally {
    connection.close();
  }
}

function readQueryFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw usageError(`cannot read the query file ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); check the path.`);
  }
}

/** The query piped in; on a terminal there is none to wait for. */
function readStdin(ctx: CliContext): string {
  if (ctx.stdinIsTTY) throw usageError(`missing argument; usage: ${USAGE.sql}`);
  let text = '';
  try {
    text = readFileSync(0, 'utf8');
  } catch {
    // no standard input at all (closed): as good as an empty one
  }
  if (text.trim() === '') throw usageError(`missing argument; usage: ${USAGE.sql}`);
  return text;
}
