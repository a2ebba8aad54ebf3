/**
 * `bird import`: reads a history file and stores what is new in it, streaming: the file is read
 * a chunk at a time, twice (history-chunks.ts), and rows go to the store's mode in batches as
 * they fill (its ingestRows: no merge between the first read of the store and the last batch;
 * each batch whole or not at all, so a crash part-way leaves whole batches, and the next run
 * skips what they hold). What it keeps of the whole file is a few bytes an entry:
 *
 * 1. The first pass reads each entry's time (8 bytes) and a hash of its time and text (8 bytes).
 *    From those: the store's rows around the file's times, every entry's place in file order
 *    (place-in-file-order.ts), and which entries may repeat another (repeated-keys.ts).
 * 2. The second pass decides each entry as planImport does (privacy, id, stored before, captured
 *    live, forgotten) and writes it. An entry without a time that the hook may have stored (its
 *    text is a captured command's) waits: which of them the hook stored is told from the end of
 *    the file back (match-untimed.ts), once every timed entry took its captured rows.
 * 3. Those waiting entries the hook did not store are read again and written; then the
 *    sessions, registered when their first stored command ran.
 */
import { readFileSync, statSync } from 'node:fs';
import {
  BirdError,
  INVOCATIONS,
  SESSIONS,
  decideCapture,
  forgotten,
  hasTombstones,
  quoteLiteral,
  resolveClientId,
  shortHostname,
  type BirdConfig,
  type BirdLayout,
  type InvocationRow,
  type SessionRow,
  type ShellName,
  utcDateOfMicros,
} from '@bird/core';
import { ConnectionOptions, openStore, rowGroupsByDay, storageModeOf, type RowGroup } from '@bird/store';
import { parseAtuinHistory } from './atuin-history.ts';
import { closeHistory, historyChunks, openHistory } from './history-chunks.ts';
import type { HistoryParse } from './history-entry.ts';
import { matchUntimedToCaptured, type CapturedRow } from './match-untimed.ts';
import { NO_START, placeInFileOrderOf } from './place-in-file-order.ts';
import {
  IMPORT_SESSION_PREFIX,
  LIVE_MATCH_US,
  capturedByCmd,
  capturedNear,
  importIdOf,
  importedRowOf,
  isAtuin,
  latestUntimedUs,
  occurrence,
  repeatKeyOf,
  type ImportContext,
  type ImportFormat,
  type ImportSource,
} from './plan-import.ts';
import { KnownIdsBuilder } from './known-ids.ts';
import { keyHash, repeatedHashes } from './repeated-keys.ts';

/** A history keeps whole seconds: an entry this close to a forgotten command's start is it. */
const FORGOTTEN_MATCH_US = 2_000_000n;

/** Stored ids read at once (known-ids.ts keeps them in 16 bytes each). */
const KNOWN_IDS_PAGE = 100_000;

/**
 * Rows handed to the store at once: a batch is encoded whole, so this bounds the memory it takes.
 * Its rows live long enough to be promoted to V8's old space, which then grows by a multiple of
 * them before it is collected: 50,000 made a 1M-line import peak at ~430 MB, 20,000 at ~360 MB,
 * for a few more flushes of the filesystem (one pair a batch).
 */
export const IMPORT_BATCH_ROWS = 20_000;

export interface ImportOptions {
  readonly dryRun?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  /** Files written so far, of about how many in all (a file per table and day; the last call says done of done). */
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

/** Opens the history file at `path`; a file that cannot be read is one BirdError naming it. */
export function openHistoryFile(path: string): number {
  try {
    if (statSync(path).isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    return openHistory(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : code === 'EISDIR' ? 'is a folder' : `cannot be read (${code ?? (error as Error).message})`;
    throw new BirdError(`${path} ${why}; give the history file with --file PATH.`);
  }
}

/** The file's entries, a chunk at a time (atuin's database, with the `-wal` beside it, in one). */
async function* readHistory(format: ImportFormat, path: string, fd: number): AsyncGenerator<HistoryParse> {
  if (format !== 'atuin') {
    yield* historyChunks(format, fd);
    return;
  }
  let wal: Buffer | undefined;
  try {
    wal = readFileSync(`${path}-wal`);
  } catch {
    // no -wal beside it: everything is in the database file
  }
  yield await parseAtuinHistory(readFileSync(path), wal ? { wal } : {});
}

/** What the first pass keeps: a few bytes an entry. */
interface FileFacts {
  count: number;
  /** Each entry's start, NO_START for none; placed in file order after the pass. */
  starts: BigInt64Array;
  /** keyHash of each entry's start and command (0 for atuin's, whose own id tells them apart). */
  hashes: Float64Array;
  lo: bigint | null;
  hi: bigint | null;
  untimed: boolean;
  unreadable: number;
  unreadableLines: number[];
}

async function scanHistory(format: ImportFormat, path: string, fd: number): Promise<FileFacts> {
  const facts: FileFacts = { count: 0, starts: new BigInt64Array(1024), hashes: new Float64Array(1024), lo: null, hi: null, untimed: false, unreadable: 0, unreadableLines: [] };
  for await (const chunk of readHistory(format, path, fd)) {
    facts.unreadable += chunk.unreadable;
    for (const line of chunk.unreadableLines) facts.unreadableLines.push(line);
    for (const entry of chunk.entries) {
      if (facts.count === facts.starts.length) {
        facts.starts = grow(facts.starts, new BigInt64Array(facts.count * 2));
        facts.hashes = grow(facts.hashes, new Float64Array(facts.count * 2));
      }
      const start = entry.startUs;
      facts.starts[facts.count] = start ?? NO_START;
      facts.hashes[facts.count] = isAtuin(entry) ? 0 : keyHash(start, entry.cmd);
      facts.count++;
      if (start === null) facts.untimed = true;
      else {
        if (facts.lo === null || start < facts.lo) facts.lo = start;
        if (facts.hi === null || start > facts.hi) facts.hi = start;
      }
    }
  }
  return facts;
}

function grow<T extends BigInt64Array | Float64Array>(from: T, to: T): T {
  (to as Float64Array).set(from as Float64Array);
  return to;
}

/** Reads the history at `path` as `format` and stores what is new in it (see the module comment). */
export async function importHistory(layout: BirdLayout, config: BirdConfig, format: ImportFormat, path: string, options: ImportOptions = {}): Promise<ImportSummary> {
  const env = options.env ?? process.env;
  const clientId = resolveClientId(env, config.client_id);
  const fd = openHistoryFile(path);
  try {
    const facts = await scanHistory(format, path, fd);
    const source: ImportSource = { format, path, mtimeUs: BigInt(Math.round(statSync(path).mtimeMs * 1000)) };
    const counts = { imported: 0, duplicates: 0, private: 0, forgotten: 0 };
    // Under the lock from the first read of the store to the last batch: no merge in between.
    const batches = async function* (): AsyncGenerator<readonly RowGroup[]> {
      const held = await storeHolds(layout, format, facts);
      const context: ImportContext = {
        clientId,
        hostname: shortHostname(),
        env,
        rules: { ignore: config.capture.ignore },
        ...held,
        // A forgotten command in the file stays forgotten (its import id is not the one it had).
        ...(hasTombstones(layout) ? { forgotten: (cmd: string, startUs: bigint | null, placedUs: bigint) => forgotten(layout).wasForgotten(cmd, startUs, FORGOTTEN_MATCH_US) || forgotten(layout).before(clientId, placedUs) } : {}),
      };
      const placed = placeInFileOrderOf(facts.starts, facts.count, latestUntimedUs(source, context));
      // About a file per day of the entries, and one for their session: files written tell the progress.
      const expected = daysOf(placed) + 1;
      let written = 0;
      for await (const groups of planStream(format, path, fd, facts, placed, source, context, counts)) {
        yield groups;
        written += groups.length;
        options.onProgress?.(written, Math.max(expected, written + 1));
      }
      if (options.dryRun) return;
      // The sessions are read from the store: every command written must be readable first.
      yield [];
      const sessions = await sessionsToRegister(layout);
      yield sessions;
      written += sessions.length;
      options.onProgress?.(written, written);
    };
    let warning: string | undefined;
    if (options.dryRun) for await (const _ of batches());
    else warning = (await storageModeOf(layout, config).ingestRows(batches)).warning;
    const summary: ImportSummary = { file: path, read: facts.count, imported: counts.imported, duplicates: counts.duplicates, private: counts.private, forgotten: counts.forgotten, unreadable: facts.unreadable, unreadableLines: facts.unreadableLines };
    return warning ? { ...summary, warning } : summary;
  } finally {
    closeHistory(fd);
  }
}

interface StreamCounts {
  imported: number;
  duplicates: number;
  private: number;
  forgotten: number;
}

/** Passes 2 and 3 (see the module comment): the rows to store, a batch at a time; counts what was left out. */
async function* planStream(format: ImportFormat, path: string, fd: number, facts: FileFacts, placed: BigInt64Array, source: ImportSource, context: ImportContext, counts: StreamCounts): AsyncGenerator<readonly RowGroup[]> {
  const repeated = repeatedHashes(facts.hashes, facts.count);
  const repeats = new Map<string, number>();
  const byCmd = capturedByCmd(context.captured);
  const accounted = new Set<number>();
  // Entries without a time whose text is a captured command's: decided after this pass.
  const waiting: number[] = [];
  const waitingCmds: string[] = [];
  let pending: InvocationRow[] = [];
  const emit = (row: InvocationRow) => {
    counts.imported++;
    pending.push(row);
  };
  // A batch leaves out the day its last row is of (unless that day alone fills a batch): the
  // next rows are likely of it too, and a day's rows of a file in time order go in one file.
  const flush = (last: boolean) => {
    const groups = rowGroupsByDay(INVOCATIONS, pending);
    const today = pending[pending.length - 1]?.date;
    const held = last ? undefined : groups.find((g) => g.date === today && g.rows.length < IMPORT_BATCH_ROWS);
    pending = held ? [...(held.rows as InvocationRow[])] : [];
    return held ? groups.filter((g) => g !== held) : groups;
  };
  let i = 0;
  for await (const chunk of readHistory(format, path, fd)) {
    for (const entry of chunk.entries) {
      const at = i++;
      // Every entry counts as a repeat of its key, private ones too (as planImport counts).
      const repeat = isAtuin(entry) ? '' : occurrence(repeated.has(facts.hashes[at]!) ? repeats : null, repeatKeyOf(entry));
      const decision = decideCapture(entry.cmd, {}, context.rules);
      if (!decision.capture) {
        counts.private++;
        continue;
      }
      const id = importIdOf(entry, repeat, context.clientId, format);
      if (context.known.has(id)) {
        counts.duplicates++;
        continue;
      }
      if (entry.startUs !== null) {
        const near = capturedNear(byCmd, context.captured, decision.cmd, entry.startUs);
        for (const index of near) accounted.add(index);
        if (near.length > 0) {
          counts.duplicates++;
          continue;
        }
      } else if (byCmd.has(decision.cmd)) {
        waiting.push(at);
        waitingCmds.push(decision.cmd);
        continue;
      }
      if (context.forgotten?.(decision.cmd, entry.startUs, placed[at]!)) {
        counts.forgotten++;
        continue;
      }
      emit(importedRowOf(entry, decision.cmd, id, placed[at]!, source, context));
      if (pending.length >= IMPORT_BATCH_ROWS) yield flush(false);
    }
  }
  if (pending.length > 0) yield flush(true);
  if (waiting.length === 0) return;

  // Pass 3: matchUntimedToCaptured sees only the waiting entries, in file order; every other
  // entry it would be given is null, which it skips.
  const matched = matchUntimedToCaptured(waitingCmds, context.captured.filter((_, index) => !accounted.has(index)));
  const stored = new Set(waiting.filter((_, k) => matched[k]! >= 0));
  counts.duplicates += stored.size;
  const toWrite = new Set(waiting.filter((at) => !stored.has(at)));
  repeats.clear();
  i = 0;
  for await (const chunk of readHistory(format, path, fd)) {
    for (const entry of chunk.entries) {
      const at = i++;
      // Repeats are counted as pass 2 counted them: every entry of a repeated key, in order.
      const repeat = isAtuin(entry) ? '' : occurrence(repeated.has(facts.hashes[at]!) ? repeats : null, repeatKeyOf(entry));
      if (!toWrite.has(at)) continue;
      const decision = decideCapture(entry.cmd, {}, context.rules);
      if (!decision.capture) continue;
      if (context.forgotten?.(decision.cmd, entry.startUs, placed[at]!)) {
        counts.forgotten++;
        continue;
      }
      emit(importedRowOf(entry, decision.cmd, importIdOf(entry, repeat, context.clientId, format), placed[at]!, source, context));
      if (pending.length >= IMPORT_BATCH_ROWS) yield flush(false);
    }
  }
  if (pending.length > 0) yield flush(true);
}

/** How many UTC days the placed times fall on. */
function daysOf(placed: BigInt64Array): number {
  const days = new Set<bigint>();
  for (const us of placed) days.add(us / 86_400_000_000n);
  return days.size;
}

/**
 * The sessions of the imported commands stored by now that have none: registered when their
 * first stored command ran. Asked of the store, not of this run, so a run killed after its
 * commands and before their sessions is made whole by the next, which writes no command of them.
 */
async function sessionsToRegister(layout: BirdLayout): Promise<readonly RowGroup[]> {
  const sessions: SessionRow[] = [];
  const conn = await openStore(layout, { onWarning: () => undefined }).connect(ConnectionOptions.minimal());
  try {
    // Grouped first, then matched against the sessions: matching each row first made this query
    // peak at 450 MB (against 283 MB) with 3M imported rows, and a 10M import at 1.5 GB.
    const orphans = await conn.query(
      `SELECT * FROM (
         SELECT session_id, any_value(client_id), epoch_us(min("timestamp")), any_value(shell) FROM local.invocations
         WHERE starts_with(session_id, ${quoteLiteral(IMPORT_SESSION_PREFIX)}) GROUP BY session_id
       ) g WHERE NOT EXISTS (SELECT 1 FROM local.sessions s WHERE s.session_id = g.session_id)`,
    );
    for (const [sessionId, clientId, us, shell] of orphans.rows) {
      const registeredAt = BigInt(us as bigint);
      sessions.push({ session_id: String(sessionId), client_id: String(clientId), invoker: shell === null ? null : (String(shell) as ShellName), invoker_pid: null, registered_at: registeredAt, cwd: null, date: utcDateOfMicros(registeredAt) });
    }
  } finally {
    conn.close();
  }
  return rowGroupsByDay(SESSIONS, sessions);
}

/**
 * The ids an earlier import stored, and the commands the hook stored from `format`'s shell:
 * those around the entries' times, or every one when some entries have no time (they are
 * matched by order and text, see match-untimed.ts).
 */
async function storeHolds(layout: BirdLayout, format: ImportFormat, facts: FileFacts) {
  const known = new KnownIdsBuilder();
  const knownSessions = new Set<string>();
  const captured: CapturedRow[] = [];
  let firstCapturedUs: bigint | null = null;
  const conn = await openStore(layout, { onWarning: () => undefined }).connect(ConnectionOptions.minimal());
  try {
    const imported = `starts_with(session_id, ${quoteLiteral(IMPORT_SESSION_PREFIX)})`;
    // A page at a time in id order: never every id as a row at once (each page is a scan of the
    // imported rows, sorted to the page's size).
    for (let after = ''; ; ) {
      const page = (await conn.query(`SELECT id FROM local.invocations WHERE ${imported} AND id > ${quoteLiteral(after)} ORDER BY id LIMIT ${KNOWN_IDS_PAGE}`)).rows;
      for (const [id] of page) known.add(String(id));
      if (page.length < KNOWN_IDS_PAGE) break;
      after = String(page[page.length - 1]![0]);
    }
    for (const [id] of (await conn.query(`SELECT session_id FROM local.sessions WHERE ${imported}`)).rows) knownSessions.add(String(id));
    const fromHook = `NOT ${imported}${format === 'atuin' ? '' : ` AND shell = ${quoteLiteral(format)}`}`;
    const [first] = (await conn.query(`SELECT epoch_us(min("timestamp")) FROM local.invocations WHERE ${fromHook}`)).rows;
    if (first?.[0] !== null && first?.[0] !== undefined) firstCapturedUs = BigInt(first[0] as bigint);
    const window = !facts.untimed && facts.lo !== null && facts.hi !== null ? ` AND "timestamp" BETWEEN make_timestamptz(${facts.lo - LIVE_MATCH_US}) AND make_timestamptz(${facts.hi + LIVE_MATCH_US})` : '';
    if (facts.untimed || facts.lo !== null) {
      const live = await conn.query(`SELECT cmd, epoch_us("timestamp"), session_id FROM local.invocations WHERE ${fromHook}${window}`);
      for (const [cmd, us, sessionId] of live.rows) captured.push({ cmd: String(cmd), startUs: BigInt(us as bigint), sessionId: String(sessionId) });
    }
  } finally {
    conn.close();
  }
  return { known: known.build(), knownSessions, captured, firstCapturedUs };
}
