import { BirdError, EVENTS, INVOCATIONS, OUTPUTS, contentUuidv7, loadConfig, quoteIdent, quoteLiteral, redactSecrets, waitForLock, type BirdLayout, type EventRow, type InvocationRow, type OutputRow } from '@bird/core';
import { BLOBS_LOCK_WAIT_MS, writeBlob } from '@bird/core/output-blobs';
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
import { commandsPrinting, redactedOutput, secretOutputHashes, storedContent } from '../redact/stored-outputs.ts';
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
const INVOCATION_COLUMNS = `id, session_id, epoch_us("timestamp"), duration_ms, cwd, cmd, executable, exit_code, client_id, hostname, shell, CAST("date" AS VARCHAR)`;
const ROWS_OF_DAYS = (first: string, last: string, texts: readonly string[]) => `SELECT ${INVOCATION_COLUMNS}
  FROM local.invocations WHERE ${OF_DAYS(first, last)} AND cmd IN (${texts.map(quoteLiteral).join(', ')})`;
const ROWS_OF_IDS = (ids: readonly string[]) => `SELECT ${INVOCATION_COLUMNS}
  FROM local.invocations WHERE id IN (${ids.map(quoteLiteral).join(', ')}) AND cmd IS NOT NULL AND "timestamp" IS NOT NULL AND "date" IS NOT NULL`;

/**
 * `bird redact [--dry-run] [--json]`: today's secret rules and `[capture] ignore` patterns,
 * applied to the commands already stored here, as capture would have applied them (see
 * redact/plan-redact.ts). A redacted command is stored again without its secret and the old row
 * forgotten; an ignored one is forgotten whole. Forgetting is what carries it to this machine's
 * series in every lake, and to every teammate's copy, at the next push. The secret rules run over
 * the outputs stored here as well (redact/stored-outputs.ts): a command that printed a secret is
 * redacted the same way, its outputs stored again without it, and the old blobs swept once no
 * row names them.
 */
export async function run(args: string[], ctx: CliContext): Promise<number | void> {
  const { values } = parseCommand(COMMAND_SPECS.redact, args);
  const layout = layoutOf(ctx);
  requireRoot(layout, ctx.env);
  const config = loadConfig(layout);
  const warn = (message: string) => ctx.stderr.write(`bird: warning: ${message}\n`);
  const { plan, secretHashes, withSecretOutputs } = await planStore(ctx, layout, { ignore: config.capture.ignore }, warn);
  const show = (row: InvocationRow) => escapeForTerminal(`${new Date(Number(row.timestamp / 1000n)).toISOString().slice(0, 19).replace('T', ' ')}  ${row.cmd}`);

  if (values['dry-run']) {
    // What would be forgotten is shown redacted too: the point is not to print a secret again.
    if (values.json) ctx.stdout.write(`${JSON.stringify({ redact: plan.redact.map((r) => ({ id: r.before.id, cmd: r.after.cmd, output: withSecretOutputs.has(r.before.id) })), forget: plan.forget.map((r) => ({ id: r.id, cmd: redactSecrets(r.cmd) })) })}\n`);
    else {
      for (const r of plan.redact) ctx.stdout.write(`would redact  ${show(r.after)}${withSecretOutputs.has(r.before.id) ? '   (what it printed holds a secret)' : ''}\n`);
      for (const r of plan.forget) ctx.stdout.write(`would forget  ${show({ ...r, cmd: redactSecrets(r.cmd) })}   (an ignore pattern matches it)\n`);
      if (plan.redact.length + plan.forget.length === 0) ctx.stdout.write(`nothing to redact: no command stored here matches today's secret rules or [capture] ignore patterns.\n`);
    }
    return;
  }
  if (plan.redact.length + plan.forget.length === 0) {
    // A redact killed after its rows went and run again finds none: what it left is finished here.
    const { storageModeOf, sweepBlobsOfStore } = await import('@bird/store');
    await storageModeOf(layout, config).remove([]);
    await sweepBlobsOfStore(layout, warn);
    ctx.stdout.write(values.json ? `${JSON.stringify({ redacted: 0, outputs: 0, forgot: 0 })}\n` : `nothing to redact: no command stored here matches today's secret rules or [capture] ignore patterns.\n`);
    return;
  }

  const { rowGroupsByDay, storageModeOf, openStore, ConnectionOptions } = await import('@bird/store');
  const mode = storageModeOf(layout, config);
  // The redacted rows first: a run killed after this and before the forget below leaves both
  // forms stored (never neither), and a rerun, finding the old row still there, finishes it.
  const fresh = plan.redact.map((r) => r.after);
  let outputsRedacted = 0;
  // Held from writing the redacted outputs' blobs to storing the rows that name them, as `bird
  // run` holds it: a forget's sweep meanwhile must not take them for blobs no row names.
  const lock = await waitForLock(layout.blobsLock, BLOBS_LOCK_WAIT_MS);
  if (!lock) throw new BirdError(`another bird held ${layout.blobsLock} for ${BLOBS_LOCK_WAIT_MS / 1000} s; run \`bird redact\` again, or \`bird doctor\` if this lasts.`);
  try {
    await mode.ingestRows(async function* () {
      // Read before anything is written, and let go of: in duckdb mode each batch's write takes bird.duckdb.
      const conn = await openStore(layout, { onWarning: () => undefined }).connect(ConnectionOptions.minimal());
      let batches: RowGroup[][];
      try {
        // What the commands printed, and what it said, go with their redacted form: the old rows go with the old ids.
        const outputs = await carriedOutputs(conn, layout, plan.redact, secretHashes, warn);
        outputsRedacted = outputs.redacted;
        for (const blob of outputs.blobs) writeBlob(layout, blob.contentHash, blob.bytes);
        batches = [
          rowGroupsByDay(INVOCATIONS, await notStored(conn, 'local.invocations', fresh)),
          rowGroupsByDay(OUTPUTS, await notStored(conn, 'local.outputs', outputs.rows)),
          rowGroupsByDay(EVENTS, await notStored(conn, 'local.events', await carriedEvents(conn, plan.redact))),
        ];
      } finally {
        conn.close();
      }
      yield* batches;
    });
  } finally {
    lock.release();
  }
  const gone = [...plan.redact.map((r) => r.before), ...plan.forget];
  await forgetCommands(layout, ctx.env, gone.map((r) => ({ id: r.id, cmd: r.cmd, startUs: Number(r.timestamp), clientId: r.client_id })), new Date(), 'redact');

  if (values.json) ctx.stdout.write(`${JSON.stringify({ redacted: plan.redact.length, outputs: outputsRedacted, forgot: plan.forget.length })}\n`);
  else {
    const outputs = outputsRedacted > 0 ? ` (${outputsRedacted} output${outputsRedacted === 1 ? '' : 's'} among them held a secret)` : '';
    const parts = [plan.redact.length > 0 ? `redacted ${plural(plan.redact.length)}${outputs}` : '', plan.forget.length > 0 ? `forgot ${plural(plan.forget.length)} an ignore pattern matches` : ''].filter(Boolean);
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

interface CarriedOutputs {
  readonly rows: OutputRow[];
  /** The blobs of the redacted contents, to be written before the rows that name them. */
  readonly blobs: { readonly contentHash: string; readonly bytes: Uint8Array }[];
  /** How many rows hold a redacted content. */
  readonly redacted: number;
}

/**
 * The outputs of the commands being redacted, pointed at their redacted forms (new ids, derived
 * as every output's id is, so a rerun writes the same rows). A content that holds a secret
 * (`secretHashes`) is stored again redacted, as capture would store it today; the rest as it was.
 */
async function carriedOutputs(conn: BirdConnection, layout: BirdLayout, redact: RedactPlan['redact'], secretHashes: ReadonlySet<string>, warn: (message: string) => void): Promise<CarriedOutputs> {
  const after = new Map(redact.map((r) => [r.before.id, r.after]));
  const rows = await rowsOfRedacted(conn, 'outputs', 'invocation_id, stream, content_hash, CAST(byte_length AS BIGINT), storage_type, storage_ref', redact);
  const text = (v: unknown) => (v === null ? null : String(v));
  const blobs: CarriedOutputs['blobs'][number][] = [];
  let redacted = 0;
  const carried = rows.map(([invocationId, stream, contentHash, byteLength, storageType, storageRef]): OutputRow => {
    const to = after.get(String(invocationId))!;
    const bytes = contentHash !== null && storageRef !== null && secretHashes.has(String(contentHash)) ? storedContent(layout, text(storageType), String(storageRef), warn) : null;
    const replaced = bytes === null ? null : redactedOutput(to, String(stream ?? ''), byteLength === null ? null : Number(byteLength), bytes);
    if (replaced !== null) {
      blobs.push(...replaced.blobs);
      redacted++;
      return replaced.row;
    }
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
  return { rows: carried, blobs, redacted };
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
    // What an output said goes through the rules its output went through: a diagnostic may quote the secret.
    for (const c of columns) if (c.kind === 'text' && c.name !== 'id' && c.name !== 'invocation_id' && typeof row[c.name] === 'string') row[c.name] = redactSecrets(row[c.name] as string);
    return { ...row, id: contentUuidv7(Number(to.timestamp / 1000n), `${to.id}\0event of\0${String(row.id)}`), invocation_id: to.id, date: to.date } as EventRow;
  });
}

function plural(n: number): string {
  return `${n} command${n === 1 ? '' : 's'}`;
}

/** A row of INVOCATION_COLUMNS, read back. */
function invocationOf(r: readonly unknown[]): InvocationRow {
  return {
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
  };
}

interface StorePlan {
  readonly plan: RedactPlan;
  /** The content hashes of the outputs stored here that hold a secret. */
  readonly secretHashes: ReadonlySet<string>;
  /** The commands that printed one of them. */
  readonly withSecretOutputs: ReadonlySet<string>;
}

/** Today's rules over every command this machine stored, and over what they printed (its own: a teammate's is theirs to redact). */
async function planStore(ctx: CliContext, layout: BirdLayout, rules: { ignore: readonly string[] }, warn: (message: string) => void): Promise<StorePlan> {
  const conn = await connect(ctx, MINIMAL);
  const candidates = new Map<string, InvocationRow>();
  try {
    const counts = (await conn.query(DAY_COUNTS_SQL)).rows.map((r) => [String(r[0]), Number(r[1])] as const);
    for (const [first, last] of dayRanges(counts, ROWS_PER_READ)) {
      // The rules run once per distinct text (a history repeats itself), and only the rows of
      // the few texts they touch are read whole.
      const touched = (await conn.query(TEXTS_OF_DAYS(first, last))).rows.map((r) => String(r[0])).filter((cmd) => rulesTouch(cmd, rules));
      for (let i = 0; i < touched.length; i += TEXTS_PER_READ) {
        for (const r of (await conn.query(ROWS_OF_DAYS(first, last, touched.slice(i, i + TEXTS_PER_READ)))).rows) {
          const row = invocationOf(r);
          candidates.set(row.id, row);
        }
      }
    }
    const secretHashes = await secretOutputHashes(conn, layout, warn);
    const printers = await commandsPrinting(conn, secretHashes);
    for (let i = 0; i < printers.length; i += ROWS_PER_ID_LIST) {
      for (const r of (await conn.query(ROWS_OF_IDS(printers.slice(i, i + ROWS_PER_ID_LIST)))).rows) {
        const row = invocationOf(r);
        candidates.set(row.id, row);
      }
    }
    const withSecretOutputs = new Set(printers);
    return { plan: planRedact(candidates.values(), rules, withSecretOutputs), secretHashes, withSecretOutputs };
  } finally {
    conn.close();
  }
}
