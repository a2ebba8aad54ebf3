import { BirdError, quoteLiteral } from '@bird/core';
import { parseCommand } from '../args.ts';
import { COMMAND_SPECS } from '../command-specs.ts';
import { warn, type CliContext } from '../context.ts';
import { layoutOf } from '../layout.ts';
import { bytesOfOutput, type StoredOutput } from '../run/stored-output.ts';
import { outputForTerminal } from '../run/terminal-output.ts';
import { OMITTED_STORAGE } from '@bird/capture/passive-outputs';
import { connect, MINIMAL } from '../store-access.ts';

/** The order a command's streams are printed in. */
const STREAM_ORDER = "CASE stream WHEN 'stdout' THEN 0 WHEN 'combined' THEN 1 ELSE 2 END";

/**
 * `bird output [ID] [--stream S] [--raw]`: what a command stored by `bird run` printed: stdout to
 * stdout and stderr to stderr, or the one stream asked for to stdout; the exact bytes when piped
 * (or --raw), made safe to show on a terminal (terminal-output.ts). Without an id, the newest
 * command that has output.
 */
export async function run(args: string[], ctx: CliContext): Promise<number | void> {
  const { values, operands } = parseCommand(COMMAND_SPECS.output, args);
  const asked = operands[0];
  const conn = await connect(ctx, MINIMAL);
  let rows: StoredOutput[];
  let id: string;
  const stream = values.stream === undefined ? '' : `AND stream = ${quoteLiteral(values.stream)}`;
  try {
    if (asked === undefined) {
      const newest = await conn.query(`SELECT o.invocation_id FROM main.outputs o JOIN main.invocations i ON i.id = o.invocation_id WHERE true ${stream} ORDER BY i."timestamp" DESC LIMIT 1`);
      if (newest.rows.length === 0) throw new BirdError(`no command has stored ${values.stream ?? 'output'} yet: run one with \`bird run CMD\`.`);
      id = String(newest.rows[0]![0]);
    } else {
      id = asked;
      const known = await conn.query(`SELECT count(*) FROM main.invocations WHERE id = ${quoteLiteral(id)}`);
      if (Number(known.rows[0]![0]) === 0) throw new BirdError(`no command with id ${JSON.stringify(id)} is stored here; \`bird sql "SELECT id, cmd FROM main.invocations"\` shows the ids.`);
    }
    const result = await conn.query(
      `SELECT DISTINCT stream, storage_type, storage_ref, content_hash, byte_length, ${STREAM_ORDER} AS o FROM main.outputs WHERE invocation_id = ${quoteLiteral(id)} ${stream} ORDER BY o`,
    );
    rows = result.rows.map((r) => ({
      stream: r[0] === null ? null : String(r[0]),
      storageType: r[1] === null ? null : String(r[1]),
      storageRef: r[2] === null ? null : String(r[2]),
      contentHash: r[3] === null ? null : String(r[3]),
      byteLength: r[4] === null ? null : Number(r[4]),
    }));
  } finally {
    conn.close();
  }
  if (rows.length === 0) {
    throw new BirdError(`command ${id} has no stored ${values.stream ?? 'output'}: only \`bird run\` stores output, and not a stream that was a terminal or printed nothing.`);
  }
  const layout = layoutOf(ctx);
  for (const row of rows) {
    const bytes = bytesOfOutput(layout, row);
    const toStderr = values.stream === undefined && row.stream === 'stderr';
    const to = toStderr ? process.stderr : process.stdout;
    // Piped, the exact bytes; on a terminal, nothing in them may drive it (unless --raw).
    const shown = (toStderr ? ctx.stderr : ctx.stdout).isTTY && !values.raw ? outputForTerminal(bytes) : bytes;
    await new Promise<void>((resolve, reject) => to.write(shown, (error) => (error ? reject(error) : resolve())));
    if (row.storageType === OMITTED_STORAGE) {
      warn(ctx, `${row.stream ?? 'output'}: ${row.byteLength ?? 'some'} bytes were printed on the alternate screen (a full-screen program such as vim or less); bird keeps none of it.`);
    } else if (row.byteLength !== null && row.byteLength > bytes.length) {
      warn(ctx, `${row.stream ?? 'output'}: ${row.byteLength} bytes were printed, ${bytes.length} stored (its first and last half of [capture] output_max_bytes, or secrets redacted).`);
    }
  }
}
