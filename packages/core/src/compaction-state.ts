/**
 * The shared state of compaction, in `db/compaction/` (see packages/sync-worker/PROTOCOL.md for
 * the whole protocol and why each step is safe):
 *
 * - `lock`        a lock file (lock-file.ts): the one process that may publish (a compactor, or
 *                 a drainer redoing a claim).
 * - `publishing`  JSON {@link PublishIntent}: present only while a merged file is being put in
 *                 place of its sources. A reader that overlaps it retries its query.
 * - `generation`  a counter bumped after every publish, so a reader can tell one happened.
 * - `merged-ids/<table>/<date>.ids`  the ids merged away from small files, one per line, so a
 *                 drainer that redoes a claim does not bring a merged row back.
 *
 * DuckDB-free and small: the drainer and every reader load it.
 */
import { closeSync, constants, copyFileSync, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fsyncDir, writeFileAtomic } from './atomic-file.ts';
import { lockHolderPid, tryLock, waitForLock, type Lock } from './lock-file.ts';
import { MERGED_PREFIX, type BirdLayout } from './paths.ts';
import { quarantinePath } from './quarantine.ts';
import { makeDirs } from './root.ts';
import { TABLE_NAMES, type TableName } from './tables.ts';

export interface PublishIntent {
  readonly table: TableName;
  readonly date: string;
  /**
   * The merged file, once in place; null when nothing replaces the sources (every row of them
   * was forgotten): they are deleted.
   */
  readonly output: string | null;
  /** The files it replaces, deleted after it is in place. */
  readonly sources: readonly string[];
}

const lockPath = (layout: BirdLayout) => join(layout.compaction, 'lock');
const intentPath = (layout: BirdLayout) => join(layout.compaction, 'publishing');
const generationPath = (layout: BirdLayout) => join(layout.compaction, 'generation');

export function mergedIdsPath(layout: BirdLayout, table: TableName, date: string): string {
  return join(layout.compaction, 'merged-ids', table, `${date}.ids`);
}

/**
 * The publish under way (or left by a compactor that died mid-way); null when there is none;
 * `unreadable` when the file is there but does not check out (cut short, garbage, or naming
 * files outside one partition of the data folders, which roll forward must never delete).
 */
export function readPublishIntent(layout: BirdLayout): PublishIntent | 'unreadable' | null {
  let text: string;
  try {
    text = readFileSync(intentPath(layout), 'utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? null : 'unreadable';
  }
  try {
    return checkIntent(layout, JSON.parse(text)) ?? 'unreadable';
  } catch {
    // not JSON, or naming files it must not: the caller finishes the publish by the rows on disk
    return 'unreadable';
  }
}

function checkIntent(layout: BirdLayout, value: unknown): PublishIntent | null {
  if (typeof value !== 'object' || value === null) return null;
  const { table, date, output, sources } = value as Record<string, unknown>;
  if (!TABLE_NAMES.includes(table as TableName) || typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return null;
  if ((typeof output !== 'string' && output !== null) || !Array.isArray(sources) || !sources.every((s) => typeof s === 'string')) return null;
  if (output === null && sources.length === 0) return null;
  const folder = dirname(output ?? (sources as string[])[0]!);
  const inData = relative(layout.dataDir, folder);
  if (inData === '' || inData.startsWith('..') || inData.startsWith(sep)) return null;
  if (basename(folder) !== `date=${date}` || basename(dirname(folder)) !== table) return null;
  const isFileHere = (path: string) => dirname(path) === folder && path.endsWith('.parquet') && !basename(path).startsWith('.');
  if ((output !== null && (!basename(output).startsWith(MERGED_PREFIX) || !isFileHere(output))) || !(sources as string[]).every(isFileHere)) return null;
  return { table: table as TableName, date, output, sources: sources as string[] };
}

/**
 * Keeps a copy of an intent that cannot be read in the quarantine folder (as every damaged file
 * is kept) and returns where; the intent itself stays until {@link finishPublishes} replaces or
 * removes it, so readers keep waiting meanwhile. Only the lock holder calls this.
 */
export function keepUnreadableIntent(layout: BirdLayout): string | null {
  let dest = quarantinePath(layout, intentPath(layout));
  if (existsSync(dest)) dest = `${dest}.${Date.now()}.${process.pid}`;
  try {
    makeDirs(dirname(dest));
    copyFileSync(intentPath(layout), dest);
    return dest;
  } catch {
    return null; // gone meanwhile, or the quarantine cannot be written: settling goes on regardless
  }
}

/**
 * Finishes publishes worked out from the files on disk (store's interruptedPublishes, when no
 * readable intent said what a dead compactor was doing): each is written as an intent and rolled
 * forward, so readers wait or retry exactly as for a compactor's own. With none, the generation
 * still moves on and whatever intent is left goes. Only the lock holder calls this.
 */
export function finishPublishes(layout: BirdLayout, intents: readonly PublishIntent[]): void {
  for (const intent of intents) {
    writePublishIntent(layout, intent);
    rollForwardPublish(layout, intent);
  }
  if (intents.length === 0) {
    bumpGeneration(layout);
    clearPublishIntent(layout);
  }
}

export function writePublishIntent(layout: BirdLayout, intent: PublishIntent): void {
  writeFileAtomic(intentPath(layout), JSON.stringify(intent), { mode: 0o600 });
}

export function clearPublishIntent(layout: BirdLayout): void {
  try {
    unlinkSync(intentPath(layout));
  } catch {
    // already gone
  }
}

/**
 * The generation; 0 when it is missing or is not a whole number (cut short, garbage). Only
 * whether it changed matters, and the next bump writes a good one again. Strict: a text such
 * as `Infinity` would never change when bumped, and readers would miss every publish.
 */
export function readGeneration(layout: BirdLayout): number {
  // existsSync first: every query reads this twice, and a thrown ENOENT costs ~20 µs.
  const path = generationPath(layout);
  if (!existsSync(path)) return 0;
  try {
    const text = readFileSync(path, 'utf8');
    return /^[0-9]{1,15}\n?$/.test(text) ? Number(text) : 0;
  } catch {
    // removed since existsSync, or unreadable: no generation, as when the file is missing
    return 0;
  }
}

export function bumpGeneration(layout: BirdLayout): void {
  writeFileAtomic(generationPath(layout), `${readGeneration(layout) + 1}\n`, { mode: 0o600 });
}

/** What a reader notes before a query and compares after: equal means no publish overlapped it. */
export interface CompactionMark {
  readonly generation: number;
  readonly publishing: boolean;
}

/**
 * The mark before a query: generation first, then whether a publish is under way. After the
 * query the order is reversed ({@link markAfter}); PROTOCOL.md shows why these orders leave no
 * interleaving unseen.
 */
export function markBefore(layout: BirdLayout): CompactionMark {
  const generation = readGeneration(layout);
  return { generation, publishing: existsSync(intentPath(layout)) };
}

export function markAfter(layout: BirdLayout): CompactionMark {
  const publishing = existsSync(intentPath(layout));
  return { generation: readGeneration(layout), publishing };
}

/** Appends the ids a publish merged away (idempotent: a redo appends them again, harmlessly). */
export function recordMergedIds(layout: BirdLayout, table: TableName, date: string, ids: readonly string[]): void {
  if (ids.length === 0) return;
  const path = mergedIdsPath(layout, table, date);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);
  try {
    writeSync(fd, `${ids.join('\n')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function readMergedIds(layout: BirdLayout, table: TableName, date: string): Set<string> {
  try {
    return new Set(readFileSync(mergedIdsPath(layout, table, date), 'utf8').split('\n').filter(Boolean));
  } catch {
    // no ids file for the day: nothing merged there yet (a missing or damaged one is rebuilt by compaction, mergedIdsLookSound)
    return new Set();
  }
}

const ID_LINE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Whether an invocations ids file still reads as what recordMergedIds writes: there, not empty,
 * starting with an id and ending with a whole line. Reads its first and last bytes only
 * (compaction asks once per merged day). A cut that falls exactly between two lines is not seen.
 */
export function mergedIdsLookSound(layout: BirdLayout, date: string): boolean {
  let fd: number;
  try {
    fd = openSync(mergedIdsPath(layout, 'invocations', date), constants.O_RDONLY);
  } catch {
    // missing or unreadable: not sound, so the caller rebuilds it
    return false;
  }
  try {
    const size = fstatSync(fd).size;
    if (size < 37) return false;
    const head = Buffer.alloc(37);
    const tail = Buffer.alloc(1);
    readSync(fd, head, 0, 37, 0);
    readSync(fd, tail, 0, 1, size - 1);
    return ID_LINE.test(head.toString('latin1', 0, 36)) && head[36] === 10 && tail[0] === 10;
  } finally {
    closeSync(fd);
  }
}

/** Writes an ids file anew (atomically), from the ids the merged files of its day hold. */
export function rewriteMergedIds(layout: BirdLayout, table: TableName, date: string, ids: readonly string[]): void {
  writeFileAtomic(mergedIdsPath(layout, table, date), ids.map((id) => `${id}\n`).join(''), { tmpDir: layout.tmp, mode: 0o600 });
}

/**
 * The day of a publish that was cut short with no intent left to say so (the intent deleted, or
 * never written: a crash between steps 2 and 3). Step 2 appends to the ids file of the day being
 * published and step 6 bumps the generation after it, so at rest the generation is the newer of
 * the two; an ids file newer than the generation (or one with no generation at all) names a day
 * whose publish did not finish. Reads one folder listing per table.
 */
export function unfinishedPublishDay(layout: BirdLayout): { table: TableName; date: string } | null {
  const newest = newestMergedIds(layout);
  if (!newest) return null;
  const generation = statSync(generationPath(layout), { throwIfNoEntry: false });
  return generation && generation.mtimeMs >= newest.mtimeMs ? null : { table: newest.table, date: newest.date };
}

/** The ids file written last, by mtime: the day the last publish (finished or not) merged. */
export function newestMergedIds(layout: BirdLayout): { table: TableName; date: string; mtimeMs: number } | null {
  let newest: { table: TableName; date: string; mtimeMs: number } | null = null;
  for (const table of TABLE_NAMES) {
    const dir = join(layout.compaction, 'merged-ids', table);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      // no merged-ids folder for this table: nothing merged there
      continue;
    }
    for (const name of names) {
      const date = /^(\d{4}-\d{2}-\d{2})\.ids$/.exec(name)?.[1];
      const mtimeMs = date ? statSync(join(dir, name), { throwIfNoEntry: false })?.mtimeMs : undefined;
      if (date && mtimeMs !== undefined && (!newest || mtimeMs > newest.mtimeMs)) newest = { table, date, mtimeMs };
    }
  }
  return newest;
}

/**
 * Takes the compaction lock (`db/compaction/lock`): the one process that may publish, a compactor
 * or a drainer redoing a claim. Null when a live process holds it; see lock-file.ts.
 */
export function tryCompactionLock(layout: BirdLayout): Lock | null {
  return tryLock(lockPath(layout));
}

/** Waits up to `timeoutMs` for the compaction lock; null if it stays held. */
export function waitForCompactionLock(layout: BirdLayout, timeoutMs: number): Promise<Lock | null> {
  return waitForLock(lockPath(layout), timeoutMs);
}

/** The pid the compaction lock names, for messages; null when there is no lock or it names none. */
export function compactionLockHolder(layout: BirdLayout): number | null {
  return lockHolderPid(lockPath(layout));
}

/**
 * Finishes a publish whose compactor died (kill -9, a crash, a reboot): if the merged file is
 * in place, its sources go, as the compactor would have done; if not, nothing was published and
 * the sources stay. With no merged file to wait for (a removal of files whose every row was
 * forgotten), the sources go. Either way the generation moves on (readers that overlapped retry) and the
 * intent is cleared. Only the lock holder calls this.
 */
export function rollForwardPublish(layout: BirdLayout, intent: PublishIntent): void {
  if (intent.output === null || existsSync(intent.output)) {
    for (const file of intent.sources) {
      try {
        unlinkSync(file);
      } catch {
        // deleted before the crash
      }
    }
    fsyncDir(dirname(intent.output ?? intent.sources[0]!));
  }
  bumpGeneration(layout);
  clearPublishIntent(layout);
}
