import { BirdError, loadConfig, quoteLiteral, usageError, type BirdLayout } from '@bird/core';
import { hasBlob, hashOfBlobRef, readBlob } from '@bird/core/output-blobs';
import { parseCommand, usageOf } from '../args.ts';
import { takeNewest } from '../events/events-selection.ts';
import { inCapturingShell, layoutOf } from '../layout.ts';
import { COMMAND_SPECS } from '../command-specs.ts';
import { warn, type CliContext } from '../context.ts';
import { bytesOfOutput, outputRowsOf, type StoredOutput } from '../run/stored-output.ts';
import { outputForTerminal } from '../run/terminal-output.ts';
import { OMITTED_STORAGE } from '@bird/capture/passive-outputs';
import { connect, MINIMAL, onDemandRemotes } from '../store-access.ts';
import { liveOutputsOf, type LiveOutputs } from '../run/live-output.ts';

/**
 * `bird output [ID | -N] [--stream S] [--raw]`: what a command printed (`bird run`, passive
 * capture): stdout to stdout and stderr to stderr, or the one stream asked for to stdout; the
 * exact bytes when piped (or --raw), made safe to show on a terminal (terminal-output.ts).
 * Without an id, the newest command that has output (-N: the Nth newest), of this hooked shell's
 * session when it has one. An id not stored here is looked for in the remotes read live (the
 * auto-attach ones, and --attach NAME): its rows from `remotes_*()`, a blob from the remote,
 * checked against its hash (run/live-output.ts).
 */
export async function run(args: string[], ctx: CliContext): Promise<number | void> {
  const taken = takeNewest(args);
  const { values, operands } = parseCommand(COMMAND_SPECS.output, taken.args);
  if (operands[0] !== undefined && taken.newest !== undefined) throw usageError(`give a command's id or -N, not both; usage: ${usageOf(COMMAND_SPECS.output)}`);
  const asked = operands[0];
  const conn = await connect(ctx, MINIMAL);
  let rows: StoredOutput[];
  let id: string;
  let storedHere = true;
  const stream = values.stream === undefined ? '' : `AND stream = ${quoteLiteral(values.stream)}`;
  try {
    if (asked === undefined) {
      const nth = taken.newest ?? 1;
      // The Nth newest command with output: in a hooked shell, of its own session when it has one.
      const nthNewest = async (where: string) =>
        (await conn.query(`SELECT o.invocation_id FROM main.outputs o JOIN main.invocations i ON i.id = o.invocation_id WHERE true ${stream} ${where} GROUP BY o.invocation_id ORDER BY max(i."timestamp") DESC, o.invocation_id LIMIT 1 OFFSET ${nth - 1}`)).rows;
      const session = inCapturingShell(ctx.env) ? ctx.env.BIRD_SESSION : undefined;
      let found = session ? await nthNewest(`AND i.session_id = ${quoteLiteral(session)}`) : [];
      if (found.length === 0) found = await nthNewest('');
      if (found.length === 0) {
        const how = '`bird run CMD` stores what one command prints, and `[capture] output = true` in config.toml what every typed one does (`bird doctor` says whether this shell is recorded)';
        throw new BirdError(nth === 1 ? `no command has stored ${values.stream ?? 'output'} yet: ${how}.` : `fewer than ${nth} commands have stored ${values.stream ?? 'output'}.`);
      }
      id = String(found[0]![0]);
    } else {
      id = asked;
      const known = await conn.query(`SELECT count(*) FROM main.invocations WHERE id = ${quoteLiteral(id)}`);
      storedHere = Number(known.rows[0]![0]) > 0;
    }
    rows = storedHere ? await outputRowsOf(conn, id, values.stream) : [];
  } finally {
    conn.close();
  }
  const layout = layoutOf(ctx);
  // Not stored here: a remote read live may have it (its blobs fetched and checked on the way).
  const live = storedHere ? null : await liveOutputsOf(ctx, id, values.stream, onDemandRemotes(values.attach), loadConfig(layout).remotes);
  if (!storedHere && live === null) {
    throw new BirdError(`no command with id ${JSON.stringify(id)} is stored here or in a remote read live; \`bird sql "SELECT id, cmd FROM main.invocations"\` shows the ids (and --attach NAME looks in a remote added with --no-auto-attach).`);
  }
  if (live !== null) rows = live.rows;
  if (rows.length === 0) {
    throw new BirdError(
      `command ${id} has no stored ${values.stream ?? 'output'}: a typed command's is stored when \`[capture] output = true\` (config.toml) and \`bird run\`'s always, but not a stream that printed nothing, a terminal \`bird run\` left alone, or a command an output_ignore pattern names.`,
    );
  }
  for (const row of rows) {
    const blob = live !== null && row.storageType === 'blob' && row.storageRef !== null ? await liveBlobOf(layout, live, row.storageRef) : undefined;
    const bytes = bytesOfOutput(layout, row, blob === undefined ? undefined : () => blob);
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

/** A live remote row's blob: this store's copy when a pull brought one, else the remote's (checked against its hash). */
async function liveBlobOf(layout: BirdLayout, live: LiveOutputs, ref: string): Promise<Buffer> {
  const hash = hashOfBlobRef(ref);
  if (hash === null || hasBlob(layout, ref)) return readBlob(layout, ref); // readBlob says what is wrong with a bad name
  const { liveBlobBytes } = await import('@bird/store');
  return liveBlobBytes(layout, live.remote, { client: live.client, hash });
}
