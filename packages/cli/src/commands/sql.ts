import { renderResult } from '../format/render-result.ts';
import { parseCommand, usageOf } from '../args.ts';
import { COMMAND_SPECS } from '../command-specs.ts';
import { tableWidth, type CliContext } from '../context.ts';
import { connect, FULL, onDemandRemotes } from '../store-access.ts';
import { readFileSync } from 'node:fs';
import { usageError } from '@bird/core';

/**
 * `bird sql ["QUERY" | --file FILE] [--attach NAME|all] [--format table|csv|json]`: a full
 * connection (macros; each auto-attach remote attached when the query names it), with the
 * remotes named by --attach attached too. With neither a
 * query nor a file, the query is read from standard input (a pipe or a here-document); `-f`
 * stays --format's short form, as in the other commands.
 */
export async function run(args: string[], ctx: CliContext): Promise<void> {
  const { values, operands } = parseCommand(COMMAND_SPECS.sql, args);
  const format = values.format ?? 'table';
  const query = values.file !== undefined ? readQueryFile(values.file) : operands.length > 0 ? operands[0]! : readStdin(ctx);
  if (query.trim() === '') throw usageError(`the query is empty; usage: ${usageOf(COMMAND_SPECS.sql)}`);
  const connection = await connect(ctx, { ...FULL, attachOnDemand: onDemandRemotes(values.attach) });
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
  if (ctx.stdinIsTTY) throw usageError(`missing argument; usage: ${usageOf(COMMAND_SPECS.sql)}`);
  let text = '';
  try {
    text = readFileSync(0, 'utf8');
  } catch {
    // no standard input at all (closed): as good as an empty one
  }
  if (text.trim() === '') throw usageError(`missing argument; usage: ${usageOf(COMMAND_SPECS.sql)}`);
  return text;
}
