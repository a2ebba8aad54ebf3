/**
 * `bird import`: read a history file, plan (plan-import.ts), write. Parquet mode writes one
 * file per table and day (`i-<uuid>.parquet` beside captured ones, each atomic), under the
 * compaction lock so no merge runs between the check of known ids and the write; duckdb mode
 * inserts everything in one transaction. A crash part-way leaves whole files only, and the
 * next run skips what they hold.
 */
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  BirdError,
  INVOCATIONS,
  SESSIONS,
  ROW_KEY,
  localPartitionDir,
  quoteIdent,
  quoteLiteral,
  resolveClientId,
  shortHostname,
  uuidv7,
  waitForCompactionLock,
  writeFileAtomic,
  writeFilesAtomic,
  type BirdConfig,
  type BirdLayout,
  type TableDef,
} from '@bird/core';
import { markIndexStale } from '@bird/history-index';
import { ConnectionOptions, openCatalog, openStore, refreshHistoryIndex } from '@bird/store';
import { encodeParquet } from '@bird/writer-parquet';
import { parseAtuinHistory } from './atuin-history.ts';
import { parseBashHistory } from './bash-history.ts';
import { parseFishHistory } from './fish-history.ts';
import type { HistoryEntry, HistoryParse } from './history-entry.ts';
import type { CapturedRow } from './match-untimed.ts';
import { IMPORT_SESSION_PREFIX, LIVE_MATCH_US, planImport, type ImportFormat, type ImportPlan } from './plan-import.ts';
import { parseZshHistory } from './zsh-history.ts';

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
  readonly unreadable: number;
  /** Lines of the file where unreadable entries start (as many as the parser could tell). */
  readonly unreadableLines: readonly number[];
  /** The history index could not be updated (the rows are stored; the next reader rebuilds it). */
  readonly warning?: string;
}

const COMPACTION_WAIT_MS = 60_000;

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
  const lock = config.storage.mode === 'parquet' && !options.dryRun ? await waitForCompactionLock(layout, COMPACTION_WAIT_MS) : null;
  let summary: ImportSummary;
  if (config.storage.mode === 'parquet' && !options.dryRun && !lock) throw new BirdError('a compaction held the store for over a minute; run bird import again in a moment.');
  try {
    const held = await storeHolds(layout, format, starts, untimed);
    const plan = planImport(parsed.entries, { format, path, mtimeUs: BigInt(Math.round(statSync(path).mtimeMs * 1000)) }, {
      clientId,
      hostname: shortHostname(),
      env,
      rules: { ignore: config.capture.ignore },
      ...held,
    });
    // Search and `bird history` see the imported rows through a rebuild of the history index;
    // the stale marker covers an import killed before it (the next reader rebuilds).
    const indexing = !options.dryRun && plan.invocations.length > 0;
    if (indexing) markIndexStale(layout.historyIndex);
    if (!options.dryRun) await write(layout, config, plan, options.onProgress);
    summary = { file: path, read: plan.read, imported: plan.invocations.length, duplicates: plan.duplicates, private: plan.private, unreadable: parsed.unreadable, unreadableLines: parsed.unreadableLines };
    if (!indexing) return summary;
  } finally {
    lock?.release();
  }
  const problem = await refreshHistoryIndex(layout);
  return problem ? { ...summary, warning: problem } : summary;
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

async function write(layout: BirdLayout, config: BirdConfig, plan: ImportPlan, onProgress?: (done: number, total: number) => void): Promise<void> {
  const groups = [...byDay(INVOCATIONS, plan.invocations), ...byDay(SESSIONS, plan.sessions)];
  if (groups.length === 0) return;
  if (config.storage.mode === 'parquet') {
    let done = 0;
    const files = groups.map(({ table, date, rows }) => {
      const file = { path: join(localPartitionDir(layout, table.name, date), `i-${uuidv7(Date.now())}.parquet`), data: encodeParquet(table, rows) };
      onProgress?.(++done, groups.length);
      return file;
    });
    writeFilesAtomic(files, { tmpDir: layout.tmp });
    return;
  }
  // duckdb mode: the rows go through Parquet files in db/tmp into one transaction.
  const files = groups.map(({ table, rows }, i) => {
    const file = join(layout.tmp, `import-${process.pid}-${i}.parquet`);
    writeFileAtomic(file, encodeParquet(table, rows), { durable: false });
    return { table, file };
  });
  const catalog = await openCatalog(layout.catalog, 'read_write');
  try {
    const conn = await catalog.instance.connect();
    try {
      await conn.run('BEGIN TRANSACTION');
      for (const [n, { table, file }] of files.entries()) {
        const key = quoteIdent(ROW_KEY[table.name]);
        const target = `local.${quoteIdent(table.name)}`;
        // NOT EXISTS, never NOT IN: one NULL key stored would make NOT IN keep no row at all.
        await conn.run(`INSERT INTO ${target} BY NAME SELECT * FROM read_parquet(${quoteLiteral(file)}) i WHERE NOT EXISTS (SELECT 1 FROM ${target} s WHERE s.${key} = i.${key})`);
        onProgress?.(n + 1, files.length);
      }
      await conn.run('COMMIT');
    } catch (error) {
      await conn.run('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      conn.closeSync();
    }
  } finally {
    catalog.release();
    for (const { file } of files) rmSync(file, { force: true });
  }
}

function byDay<T extends { date: string }>(table: TableDef, rows: readonly T[]): { table: TableDef; date: string; rows: T[] }[] {
  const days = new Map<string, T[]>();
  for (const row of rows) (days.get(row.date) ?? days.set(row.date, []).get(row.date)!).push(row);
  return [...days].sort(([a], [b]) => (a < b ? -1 : 1)).map(([date, dayRows]) => ({ table, date, rows: dayRows }));
}
