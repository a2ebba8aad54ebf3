/**
 * `bird import`: read a history file, plan (plan-import.ts), and hand the rows to the store's
 * mode (its ingestRows: no merge between the plan's read of the store and the write; whole files
 * or one transaction, so a crash part-way leaves nothing half written, and the next run skips
 * what was written).
 */
import { readFileSync, statSync } from 'node:fs';
import { BirdError, INVOCATIONS, SESSIONS, forgotten, hasTombstones, quoteLiteral, resolveClientId, shortHostname, type BirdConfig, type BirdLayout } from '@bird/core';
import { ConnectionOptions, openStore, rowGroupsByDay, storageModeOf } from '@bird/store';
import { parseAtuinHistory } from './atuin-history.ts';
import { parseBashHistory } from './bash-history.ts';
import { parseFishHistory } from './fish-history.ts';
import type { HistoryEntry, HistoryParse } from './history-entry.ts';
import type { CapturedRow } from './match-untimed.ts';
import { IMPORT_SESSION_PREFIX, LIVE_MATCH_US, planImport, type ImportFormat, type ImportPlan } from './plan-import.ts';
import { parseZshHistory } from './zsh-history.ts';

/** A history keeps whole seconds: an entry this close to a forgotten command's start is it. */
const FORGOTTEN_MATCH_US = 2_000_000n;

export interface ImportOptions {
  readonly dryRun?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ImportSummary {
  readonly file: string;
  readonly read: number;
  readonly imported: number;
  readonly duplicates: number;
  readonly private: number;
  /** Left out as forgotten here (`bird forget`). */
  readonly forgotten: number;
  readonly unreadable: number;
  /** Lines of the file where unreadable entries start (as many as the parser could tell). */
  readonly unreadableLines: readonly number[];
  /** The history index could not be updated (the rows are stored; the next reader rebuilds it). */
  readonly warning?: string;
}


/** The bytes of the history file at `path`; a file that cannot be read is one BirdError naming it. */
export function readHistoryFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : code === 'EISDIR' ? 'is a folder' : `cannot be read (${code ?? (error as Error).message})`;
    throw new BirdError(`${path} ${why}; give the history file with --file PATH.`);
  }
}

/** Reads `bytes`, the file at `path`, as a `format` history (atuin's with the `-wal` beside it). */
export async function parseHistory(format: ImportFormat, path: string, bytes: Buffer): Promise<HistoryParse<HistoryEntry>> {
  switch (format) {
    case 'zsh':
      return parseZshHistory(bytes);
    case 'bash':
      return parseBashHistory(bytes.toString('utf8'));
    case 'fish':
      return parseFishHistory(bytes.toString('utf8'));
    case 'atuin': {
      let wal: Buffer | undefined;
      try {
        wal = readFileSync(`${path}-wal`);
      } catch {
        // no -wal beside it: everything is in the database file
      }
      return parseAtuinHistory(bytes, wal ? { wal } : {});
    }
  }
}

/** Stores what `parseHistory` read from `path` (see the module comment). */
export async function importHistory(layout: BirdLayout, config: BirdConfig, format: ImportFormat, path: string, parsed: HistoryParse<HistoryEntry>, options: ImportOptions = {}): Promise<ImportSummary> {
  const env = options.env ?? process.env;
  const clientId = resolveClientId(env, config.client_id);
  const starts = parsed.entries.flatMap((e) => (e.startUs === null ? [] : [e.startUs]));
  const untimed = starts.length < parsed.entries.length;
  // Under the lock from the first read of the store to the last file: no merge in between.
  // Planning reads the store (what earlier imports and the hooks stored): the mode runs it with
  // the store held, so nothing changes between that read and the write.
  const planned = async () => {
    const held = await storeHolds(layout, format, starts, untimed);
    return planImport(parsed.entries, { format, path, mtimeUs: BigInt(Math.round(statSync(path).mtimeMs * 1000)) }, {
      clientId,
      hostname: shortHostname(),
      env,
      rules: { ignore: config.capture.ignore },
      ...held,
      // A forgotten command in the file stays forgotten (its import id is not the one it had).
      ...(hasTombstones(layout) ? { forgotten: (cmd: string, startUs: bigint | null, placedUs: bigint) => forgotten(layout).wasForgotten(cmd, startUs, FORGOTTEN_MATCH_US) || forgotten(layout).before(clientId, placedUs) } : {}),
    });
  };
  let plan: ImportPlan | undefined;
  let warning: string | undefined;
  if (options.dryRun) plan = await planned();
  else {
    const result = await storageModeOf(layout, config).ingestRows(async () => {
      plan = await planned();
      return [...rowGroupsByDay(INVOCATIONS, plan.invocations), ...rowGroupsByDay(SESSIONS, plan.sessions)];
    }, options.onProgress);
    warning = result.warning;
  }
  const summary: ImportSummary = { file: path, read: plan!.read, imported: plan!.invocations.length, duplicates: plan!.duplicates, private: plan!.private, forgotten: plan!.forgotten, unreadable: parsed.unreadable, unreadableLines: parsed.unreadableLines };
  return warning ? { ...summary, warning } : summary;
}

/**
 * The ids an earlier import stored, and the commands the hook stored from `format`'s shell:
 * those around the entries' times, or every one when some entries have no time (they are
 * matched by order and text, see match-untimed.ts).
 */
async function storeHolds(layout: BirdLayout, format: ImportFormat, starts: readonly bigint[], untimed: boolean) {
  const known = new Set<string>();
  const knownSessions = new Set<string>();
  const captured: CapturedRow[] = [];
  let firstCapturedUs: bigint | null = null;
  const conn = await openStore(layout, { onWarning: () => undefined }).connect(ConnectionOptions.minimal());
  try {
    const imported = `starts_with(session_id, ${quoteLiteral(IMPORT_SESSION_PREFIX)})`;
    for (const [id] of (await conn.query(`SELECT id FROM local.invocations WHERE ${imported}`)).rows) known.add(String(id));
    for (const [id] of (await conn.query(`SELECT session_id FROM local.sessions WHERE ${imported}`)).rows) knownSessions.add(String(id));
    const fromHook = `NOT ${imported}${format === 'atuin' ? '' : ` AND shell = ${quoteLiteral(format)}`}`;
    const [first] = (await conn.query(`SELECT epoch_us(min("timestamp")) FROM local.invocations WHERE ${fromHook}`)).rows;
    if (first?.[0] !== null && first?.[0] !== undefined) firstCapturedUs = BigInt(first[0] as bigint);
    let window = '';
    if (!untimed && starts.length > 0) {
      let lo = starts[0]!;
      let hi = starts[0]!;
      for (const s of starts) {
        if (s < lo) lo = s;
        if (s > hi) hi = s;
      }
      window = ` AND "timestamp" BETWEEN make_timestamptz(${lo - LIVE_MATCH_US}) AND make_timestamptz(${hi + LIVE_MATCH_US})`;
    }
    if (untimed || starts.length > 0) {
      const live = await conn.query(`SELECT cmd, epoch_us("timestamp"), session_id FROM local.invocations WHERE ${fromHook}${window}`);
      for (const [cmd, us, sessionId] of live.rows) captured.push({ cmd: String(cmd), startUs: BigInt(us as bigint), sessionId: String(sessionId) });
    }
  } finally {
    conn.close();
  }
  return { known, knownSessions, captured, firstCapturedUs };
}

