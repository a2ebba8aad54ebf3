import { EVENTS, INVOCATIONS, OUTPUTS, contentUuidv7, loadConfig, quoteIdent, quoteLiteral, redactSecrets, type EventRow, type InvocationRow, type OutputRow } from '@bird/core';
import { outputRowId } from '@bird/capture/record-output';
import type { BirdConnection, RowGroup } from '@bird/store';
import { parseCommand } from '../args.ts';
import { COMMAND_SPECS } from '../command-specs.ts';
import type { CliContext } from '../context.ts';
import { escapeForTerminal } from '../format/text-width.ts';
import { forgetCommands } from '../forget/forget-commands.ts';
import { layoutOf, requireRoot } from '../layout.ts';
import { dayRanges } from '../redact/day-ranges.ts';
import { planRedact, rulesTouch, type RedactPlan } from '../redact/plan-redact.ts';
import { connect, MINIMAL } from '../store-access.ts';

/** Commands looked at per query: bounded memory whatever the store's size, and few queries. */
const ROWS_PER_READ = 100_000;
/** Texts per `IN (…)` list when the rows of the texts the rules touch are read whole. */
const TEXTS_PER_READ = 1000;
/** Ids per `IN (…)` list when rows of the redacted commands are read or checked. */
const ROWS_PER_ID_LIST = 1000;
const DAY_COUNTS_SQL = `SELECT CAST("date" AS VARCHAR) AS d, count(*) FROM local.invocations WHERE "date" IS NOT NULL GROUP BY d ORDER BY d`;
const OF_DAYS = (first: string, last: string) =>
  `"date" BETWEEN CAST(${quoteLiteral(first)} AS DATE) AND CAST(${quoteLiteral(last)} AS DATE) AND id IS NOT NULL AND cmd IS NOT NULL AND "timestamp" IS NOT NULL`;
const TEXTS_OF_DAYS = (first: string, last: string) => `SELECT DISTINCT cmd FROM local.invocations WHERE ${OF_DAYS(first, last)}`;
const ROWS_OF_DAYS = (first: string, last: string, texts: readonly string[]) => `SELECT id, session_id, epoch_us("timestamp"), duration_ms, cwd, cmd, executable, exit_code, client_id, hostname, shell, CAST("date" AS VARCHAR)
  FROM local.invocations WHERE ${OF_DAYS(first, last)} AND cmd IN (${texts.map(quoteLiteral).join(', ')})`;

/**
 * `bird redact [--dry-run] [--json]`: today's secret rules and `[capture] ignore` patterns,
 * applied to the commands already stored here, as capture would have applied them (see
 * redact/plan-redact.ts). A redacted command is stored again without its secret and the old row
 * forgotten; an ignored one is forgotten whole. Forgetting is what carries it to this machine's
 * series in every lake, and to every teammate's copy, at the next push.
 */
export async function run(args: string[], ctx: CliContext): Promise<number | void> {
  const { values } = parseCommand(COMMAND_SPECS.redact, args);
  const layout = layoutOf(ctx);
  requireRoot(layout, ctx.env);
  const config = loadConfig(layout);
  const plan = await planStore(ctx, { ignore: config.capture.ignore });
  const show = (row: InvocationRow) => escapeForTerminal(`${new Date(Number(row.timestamp / 1000n)).toISOString().slice(0, 19).replace('T', ' ')}  ${row.cmd}`);

  if (values['dry-run']) {
    // What would be forgotten is shown redacted too: the point is not to print a secret again.
    if (values.json) ctx.stdout.write(`${JSON.stringify({ redact: plan.redact.map((r) => ({ id: r.before.id, cmd: r.after.cmd })), forget: plan.forget.map((r) => ({ id: r.id, cmd: redactSecrets(r.cmd) })) })}\n`);
    else {
      for (const r of plan.redact) ctx.stdout.write(`would redact  ${show(r.after)}\n`);
      for (const r of plan.forget) ctx.stdout.write(`would forget  ${show({ ...r, cmd: redactSecrets(r.cmd) })}   (an ignore pattern matches it)\n`);
      if (plan.redact.length + plan.forget.length === 0) ctx.stdout.write(`nothing to redact: no command stored here matches today's secret rules or [capture] ignore patterns.\n`);
    }
    return;
  }
  if (plan.redact.length + plan.forget.length === 0) {
    // A redact killed after its rows went and run again finds none: what it left is finished here.
    const { storageModeOf } = await import('@bird/store');
    await storageModeOf(layout, config).remove([]);
    ctx.stdout.write(values.json ? `${JSON.stringify({ redacted: 0, forgot: 0 })}\n` : `nothing to redact: no command stored here matches today's secret rules or [capture] ignore patterns.\n`);
    return;
  }

  const { rowGroupsByDay, storageModeOf, openStore, ConnectionOptions } = await import('@bird/store');
  const mode = storageModeOf(layout, config);
  // The redacted rows first: a run killed after this and before the forget below leaves both
  // forms stored (never neither), and a rerun, finding the old row still there, finishes it.
  const fresh = plan.redact.map((r) => r.after);
  await mode.ingestRows(async function* () {
    // Read before anything is written, and let go of: in duckdb mode each batch's write takes bird.duckdb.
    const conn = await openStore(layout, { onWarning: () => undefined }).connect(ConnectionOptions.minimal());
    let batches: RowGroup[][];
    try {
      batches = [
        rowGroupsByDay(INVOCATIONS, await notStored(conn, 'local.invocations', fresh)),
        // What the commands printed, and what it said, go with their redacted form: the old rows go with the old ids.
        rowGroupsByDay(OUTPUTS, await notStored(conn, 'local.outputs', await carriedOutputs(conn, plan.redact))),
        rowGroupsByDay(EVENTS, await notStored(conn, 'local.events', await carriedEvents(conn, plan.redact))),
      ];
    } finally {
      conn.close();
    }
    yield* batches;
  });
  const gone = [...plan.redact.map((r) => r.before), ...plan.forget];
  await forgetCommands(layout, ctx.env, gone.map((r) => ({ id: r.id, cmd: r.cmd, startUs: Number(r.timestamp), clientId: r.client_id })), new Date(), 'redact');

  if (values.json) ctx.stdout.write(`${JSON.stringify({ redacted: plan.redact.length, forgot: plan.forget.length })}\n`);
  else {
    const parts = [plan.redact.length > 0 ? `redacted ${plural(plan.redact.length)}` : '', plan.forget.length > 0 ? `forgot ${plural(plan.forget.length)} an ignore pattern matches` : ''].filter(Boolean);
    const pushed = config.remotes.filter((r) => r.mode === 'read_write');
    const lakes = pushed.length > 0 ? `; your series in ${pushed.length === 1 ? `remote ${pushed[0]!.name}` : 'each remote'} follows at the next push` : '';
    ctx.stdout.write(`${parts.join(' and ')}${lakes}.\n`);
  }
}

/** `rows` less those whose id `relation` already holds: a rerun (a redact killed after storing them) writes each once. */
async function notStored<T extends { id: string }>(conn: BirdConnection, relation: string, rows: readonly T[]): Promise<T[]> {
  const stored = new Set<string>();
  for (let i = 0; i < rows.length; i += ROWS_PER_ID_LIST) {
    const list = rows.slice(i, i + ROWS_PER_ID_LIST).map((r) => quoteLiteral(r.id)).join(', ');
    for (const [id] of (await conn.query(`SELECT id FROM ${relation} WHERE id IN (${list})`)).rows) stored.add(String(id));
  }
  return rows.filter((r) => !stored.has(r.id));
}

/** The rows of `table` (local) that hang off the redacted commands, read a list of ids at a time; `select` gives their columns. */
async function rowsOfRedacted(conn: BirdConnection, table: string, select: string, redact: RedactPlan['redact']): Promise<(readonly unknown[])[]> {
  const ids = redact.map((r) => r.before.id);
  const out: (readonly unknown[])[] = [];
  for (let i = 0; i < ids.length; i += ROWS_PER_ID_LIST) {
    const list = ids.slice(i, i + ROWS_PER_ID_LIST).map(quoteLiteral).join(', ');
    out.push(...(await conn.query(`SELECT ${select} FROM local.${table} WHERE invocation_id IN (${list})`)).rows);
  }
  return out;
}

/**
 * The outputs of the commands being redacted, pointed at their redacted forms (new ids, derived
 * as every output's id is, so a rerun writes the same rows). Their content is as it was stored:
 * `bird redact` does not read outputs yet.
 */
async function carriedOutputs(conn: BirdConnection, redact: RedactPlan['redact']): Promise<OutputRow[]> {
  const after = new Map(redact.map((r) => [r.before.id, r.after]));
  const rows = await rowsOfRedacted(conn, 'outputs', 'invocation_id, stream, content_hash, CAST(byte_length AS BIGINT), storage_type, storage_ref', redact);
  const text = (v: unknown) => (v === null ? null : String(v));
  return rows.map(([invocationId, stream, contentHash, byteLength, storageType, storageRef]) => {
    const to = after.get(String(invocationId))!;
    return {
      id: outputRowId(to, String(stream ?? '')),
      invocation_id: to.id,
      stream: text(stream),
      content_hash: text(contentHash),
      byte_length: byteLength === null ? null : Number(byteLength),
      storage_type: text(storageType),
      storage_ref: text(storageRef),
      date: to.date,
    };
  });
}

/**
 * The events of the commands being redacted, pointed at their redacted forms: each id derived
 * from the redacted command's and the old event's, so a rerun writes the same rows.
 */
async function carriedEvents(conn: BirdConnection, redact: RedactPlan['redact']): Promise<EventRow[]> {
  const after = new Map(redact.map((r) => [r.before.id, r.after]));
  const columns = EVENTS.columns.filter((c) => c.name !== 'date');
  const select = columns.map((c) => (c.kind === 'int32' || c.kind === 'int64' ? `CAST(${quoteIdent(c.name)} AS DOUBLE)` : `CAST(${quoteIdent(c.name)} AS VARCHAR)`)).join(', ');
  return (await rowsOfRedacted(conn, 'events', select, redact)).map((values) => {
    const row = Object.fromEntries(columns.map((c, k) => [c.name, values[k] ?? null])) as Record<string, unknown>;
    const to = after.get(String(row.invocation_id))!;
    return { ...row, id: contentUuidv7(Number(to.timestamp / 1000n), `${to.id}\0event of\0${String(row.id)}`), invocation_id: to.id, date: to.date } as EventRow;
  });
}

function plural(n: number): string {
  return `${n} command${n === 1 ? '' : 's'}`;
}

/** Today's rules over every command this machine stored (its own: a teammate's is theirs to redact). */
async function planStore(ctx: CliContext, rules: { ignore: readonly string[] }): Promise<RedactPlan> {
  const conn = await connect(ctx, MINIMAL);
  const redact: RedactPlan['redact'][number][] = [];
  const forget: InvocationRow[] = [];
  try {
    const counts = (await conn.query(DAY_COUNTS_SQL)).rows.map((r) => [String(r[0]), Number(r[1])] as const);
    for (const [first, last] of dayRanges(counts, ROWS_PER_READ)) {
      // The rules run once per distinct text (a history repeats itself), and only the rows of
      // the few texts they touch are read whole.
      const touched = (await conn.query(TEXTS_OF_DAYS(first, last))).rows.map((r) => String(r[0])).filter((cmd) => rulesTouch(cmd, rules));
      for (let i = 0; i < touched.length; i += TEXTS_PER_READ) {
        const rows = (await conn.query(ROWS_OF_DAYS(first, last, touched.slice(i, i + TEXTS_PER_READ)))).rows.map((r): InvocationRow => ({
          id: String(r[0]),
          session_id: String(r[1] ?? ''),
          timestamp: BigInt(r[2] as bigint),
          duration_ms: r[3] === null ? null : Number(r[3]),
          cwd: r[4] === null ? null : String(r[4]),
          cmd: String(r[5]),
          executable: r[6] === null ? null : String(r[6]),
          exit_code: r[7] === null ? null : Number(r[7]),
          client_id: String(r[8] ?? ''),
          hostname: r[9] === null ? null : String(r[9]),
          shell: r[10] === null ? null : String(r[10]),
          date: String(r[11]),
        }));
        const plan = planRedact(rows, rules);
        redact.push(...plan.redact);
        forget.push(...plan.forget);
      }
    }
  } finally {
    conn.close();
  }
  return { redact, forget };
}
