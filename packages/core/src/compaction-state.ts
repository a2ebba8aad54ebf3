/**
 * The shared state of compaction, in `db/compaction/` (see packages/sync-worker/PROTOCOL.md for
 * the whole protocol and why each step is safe):
 *
 * - `lock`        `<pid> <boot id>`: the one process that may publish (a compactor, or a drainer
 *                 redoing a claim). A holder that died, or is from before a reboot, is stale.
 * - `publishing`  JSON {@link PublishIntent}: present only while a merged file is being put in
 *                 place of its sources. A reader that overlaps it retries its query.
 * - `generation`  a counter bumped after every publish, so a reader can tell one happened.
 * - `merged-ids/<table>/<date>.ids`  the ids merged away from small files, one per line, so a
 *                 drainer that redoes a claim does not bring a merged row back.
 *
 * DuckDB-free and small: the drainer and every reader load it.
 */
import { closeSync, constants, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createFileAtomic, fsyncDir, writeFileAtomic } from './atomic-file.ts';
import { BirdError } from './errors.ts';
import type { BirdLayout } from './paths.ts';
import type { TableName } from './tables.ts';

export interface PublishIntent {
  readonly table: TableName;
  readonly date: string;
  /** The merged file, once in place. */
  readonly output: string;
  /** The files it replaces, deleted after it is in place. */
  readonly sources: readonly string[];
}

const lockPath = (layout: BirdLayout) => join(layout.compaction, 'lock');
const intentPath = (layout: BirdLayout) => join(layout.compaction, 'publishing');
const generationPath = (layout: BirdLayout) => join(layout.compaction, 'generation');

export function mergedIdsPath(layout: BirdLayout, table: TableName, date: string): string {
  return join(layout.compaction, 'merged-ids', table, `${date}.ids`);
}

/** The publish under way (or left by a compactor that died mid-way), or null. */
export function readPublishIntent(layout: BirdLayout): PublishIntent | null {
  try {
    return JSON.parse(readFileSync(intentPath(layout), 'utf8')) as PublishIntent;
  } catch {
    return null;
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

export function readGeneration(layout: BirdLayout): number {
  // existsSync first: every query reads this twice, and a thrown ENOENT costs ~20 µs.
  const path = generationPath(layout);
  if (!existsSync(path)) return 0;
  try {
    return Number(readFileSync(path, 'utf8').trim()) || 0;
  } catch {
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
    return new Set();
  }
}

export interface CompactionLock {
  /** True while the lock file still names this holder (re-checked before each publish step). */
  stillHeld(): boolean;
  release(): void;
}

function readBootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * When process `pid` started, in clock ticks since boot (field 22 of /proc/PID/stat), or null
 * when there is no such process or no /proc. With the pid it names one process for good: pids
 * are reused (32768 of them go round in minutes on a busy machine), start times are not.
 */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the ")" that ends the command name: state is field 3, start time field 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? null : (fields[19] ?? null);
  } catch {
    return null;
  }
}

function alive(pid: number, started: string | undefined): boolean {
  const now = processStartTime(pid);
  if (now !== null) return started === undefined || now === started;
  if (existsSync('/proc/self/stat')) return false; // /proc works, and has no such live process
  try {
    process.kill(pid, 0); // no /proc here: kill(0) is all there is
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `<pid> <boot id> <start time>`: what a lock (or marker) says of its holder. */
export function holderStamp(): string {
  return `${process.pid} ${readBootId()} ${processStartTime(process.pid) ?? '-'}`;
}

/**
 * True when the lock names a holder that can no longer hold it: dead (a zombie too), a pid
 * that another process got since, or from before a reboot.
 */
export function isStaleLock(text: string, bootId = readBootId()): boolean {
  const [pid, boot, started] = text.trim().split(/\s+/);
  if (!pid || !/^[0-9]+$/.test(pid)) return true;
  if (boot !== undefined && boot !== '-' && bootId !== '' && boot !== bootId) return true;
  if (Number(pid) === process.pid) return false;
  return !alive(Number(pid), started === undefined || started === '-' || !/^[0-9]+$/.test(started) ? undefined : started);
}

/**
 * Takes the compaction lock, or returns null when a live process holds it. A stale lock (its
 * holder died, or it is from before a reboot) is removed and taken. Two processes that both
 * took a stale lock in the same instant are told apart by `stillHeld`: only the one the file
 * names goes on.
 */
export function tryCompactionLock(layout: BirdLayout): CompactionLock | null {
  return tryLockFile(lockPath(layout));
}

/** The lock discipline of {@link tryCompactionLock}, for any lock file (push and pull lock each remote this way). */
export function tryLockFile(path: string): CompactionLock | null {
  const mine = `${holderStamp()}\n`;
  const create = (): boolean => {
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      // Linked in place whole (never an empty file a kill -9 could leave behind, which others
      // would have to take for a holder still writing its stamp). Not fsynced: after a crash the
      // boot id makes the lock stale anyway.
      return createFileAtomic(path, mine, { durable: false });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new BirdError(`cannot make the lock file ${path} (${code}); ${dirname(path)} must be a folder you can write: move whatever is there aside and try again.`, { cause: error });
    }
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (create()) {
      const lock: CompactionLock = {
        stillHeld: () => {
          try {
            return readFileSync(path, 'utf8') === mine;
          } catch {
            return false;
          }
        },
        release: () => {
          if (lock.stillHeld()) unlinkSync(path);
        },
      };
      return lock;
    }
    let held: string;
    try {
      held = readFileSync(path, 'utf8');
    } catch {
      continue; // released just now: try again
    }
    // Empty: written by a bird from before locks were linked in whole, or cut short by a crash
    // of the machine; taken as held for a few seconds, then as abandoned.
    if (held === '' ? !abandonedEmpty(path) : !isStaleLock(held)) return null;
    try {
      if (readFileSync(path, 'utf8') === held) unlinkSync(path);
    } catch {
      // another process removed it first
    }
  }
  return null;
}

/** How long an empty lock file is taken to be one whose holder is writing its stamp right now. */
const EMPTY_LOCK_GRACE_MS = 5_000;

function abandonedEmpty(path: string): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > EMPTY_LOCK_GRACE_MS;
  } catch {
    return false; // gone: the next attempt sees what is there now
  }
}

/** Waits up to `timeoutMs` for the lock (polling); null if it stays held. */
export async function waitForCompactionLock(layout: BirdLayout, timeoutMs: number): Promise<CompactionLock | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lock = tryCompactionLock(layout);
    if (lock || Date.now() >= deadline) return lock;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Finishes a publish whose compactor died (kill -9, a crash, a reboot): if the merged file is
 * in place, its sources go, as the compactor would have done; if not, nothing was published and
 * the sources stay. Either way the generation moves on (readers that overlapped retry) and the
 * intent is cleared. Only the lock holder calls this.
 */
export function rollForwardPublish(layout: BirdLayout, intent: PublishIntent): void {
  if (existsSync(intent.output)) {
    for (const file of intent.sources) {
      try {
        unlinkSync(file);
      } catch {
        // deleted before the crash
      }
    }
    fsyncDir(dirname(intent.output));
  }
  bumpGeneration(layout);
  clearPublishIntent(layout);
}
