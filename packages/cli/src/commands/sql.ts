import { OUTPUT_FORMATS, type OutputFormat } from '../format/result-set.ts';
import { renderResult } from '../format/render-result.ts';
import { oneOf, parseFlags } from '../args.ts';
import { tableWidth, type CliContext } from '../context.ts';
import { connect, FULL } from '../store-access.ts';
import { USAGE } from '../usage.ts';
import { readFileSync } from 'node:fs';
import { usageError } from '@bird/core';

/**
 * `bird sql ["QUERY" | --file FILE] [--attach NAME|all] [--format table|csv|json]`: a full
 * connection (remotes, macros), with the remotes named by --attach attached too. With neither a
 * query nor a file, the query is read from standard input (a pipe or a here-document); `-f`
 * stays --format's short form, as in the other commands.
 */
export async function run(args: string[], ctx: CliContext): Promise<void> {
  const { values, positionals } = parseFlags(
    args,
    { format: { type: 'string', short: 'f' }, file: { type: 'string' }, attach: { type: 'string', multiple: true } },
    USAGE.sql,
    { min: 0, max: 1 },
  );
  const format: OutputFormat = values.format === undefined ? 'table' : oneOf('--format', values.format as string, OUTPUT_FORMATS);
  if (values.file !== undefined && positionals.length > 0) throw usageError(`give the query or --file, not both; usage: ${USAGE.sql}`);
  const query = values.file !== undefined ? readQueryFile(values.file as string) : positionals.length > 0 ? positionals[0]! : readStdin(ctx);
  if (query.trim() === '') throw usageError(`the query is empty; usage: ${USAGE.sql}`);
  // `multiple` makes --attach a list, which parseFlags's shared value type does not spell out.
  const connection = await connect(ctx, { ...FULL, attachOnDemand: onDemandRemotes(values.attach as unknown as readonly string[] | undefined) });
  try {
    const result = await connection.query(query);
    ctx.stdout.write(renderResult(result, format, { maxWidth: tableWidth(ctx.stdout) }));
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

/** `--attach` as given: names, each once, or `all` when one of them is `all`. */
function onDemandRemotes(attach: readonly string[] | undefined): readonly string[] | 'all' {
  if (attach === undefined) return [];
  return attach.includes('all') ? 'all' : [...new Set(attach)];
}
