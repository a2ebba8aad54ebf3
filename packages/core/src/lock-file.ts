/**
 * A lock file: a file whose text is its holder's stamp (`<pid> <boot id> <start time>`, see
 * process-liveness.ts). Whoever makes the file holds the lock; a lock whose holder is no longer
 * alive is stale, and is removed and taken. Compaction, each remote's push and pull, config.toml
 * edits and the history index's rebuild each lock this way (PROTOCOL.md, "Lock files").
 */
import { mkdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { createFileAtomic } from './atomic-file.ts';
import { BirdError, isDiskFull } from './errors.ts';
import { holderStamp, isHolderAlive, parseHolderStamp } from './process-liveness.ts';

export interface Lock {
  /**
   * True while the file still names this holder. Two processes that both took a stale lock in
   * the same instant are told apart by this: only the one the file names goes on, so a holder
   * asks again before each step that must not run twice.
   */
  stillHeld(): boolean;
  /** Removes the file if it still names this holder; never another's. */
  release(): void;
}

/** How long an empty lock file is taken to be one whose holder is writing its stamp right now. */
const EMPTY_LOCK_GRACE_MS = 5_000;

/** How often a waiting process looks again. */
const WAIT_POLL_MS = 50;

/**
 * Takes the lock at `path` (making its folder), or returns null when a live process holds it.
 * Throws a BirdError naming the folder when the file cannot be made at all.
 */
export function tryLock(path: string): Lock | null {
  const mine = `${holderStamp()}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (createLockFile(path, mine)) return heldLock(path, mine);
    let held: string;
    try {
      held = readFileSync(path, 'utf8');
    } catch {
      continue; // released just now: try again
    }
    // Empty: written by a bird from before locks were linked in whole, or cut short by a crash
    // of the machine; taken as held for a few seconds, then as abandoned.
    if (held === '' ? !abandonedEmpty(path) : isHolderAlive(held)) return null;
    try {
      if (readFileSync(path, 'utf8') === held) unlinkSync(path);
    } catch {
      // another process removed it first
    }
  }
  return null;
}

/** Waits up to `timeoutMs` for the lock, looking again every 50 ms; null if it stays held. */
export async function waitForLock(path: string, timeoutMs: number): Promise<Lock | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lock = tryLock(path);
    if (lock || Date.now() >= deadline) return lock;
    await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
  }
}

/** The pid a lock file names, for messages; null when there is no lock or it names none. */
export function lockHolderPid(path: string): number | null {
  try {
    return parseHolderStamp(readFileSync(path, 'utf8'))?.pid ?? null;
  } catch {
    // no lock file (released, or never taken): no holder to name
    return null;
  }
}

function createLockFile(path: string, stamp: string): boolean {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // Linked in place whole (never an empty file a kill -9 could leave behind, which others
    // would have to take for a holder still writing its stamp). Not fsynced: after a crash the
    // boot id makes the lock stale anyway.
    return createFileAtomic(path, stamp, { durable: false });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    if (isDiskFull(error)) throw new BirdError(`the disk that holds ${dirname(path)} is full (${code}), so its lock file cannot be made: free some space and try again.`, { cause: error });
    throw new BirdError(`cannot make the lock file ${path} (${code}); ${dirname(path)} must be a folder you can write: move whatever is there aside and try again.`, { cause: error });
  }
}

function heldLock(path: string, stamp: string): Lock {
  const stillHeld = (): boolean => {
    try {
      return readFileSync(path, 'utf8') === stamp;
    } catch {
      // the lock file is gone or unreadable: it is not ours any more
      return false;
    }
  };
  return {
    stillHeld,
    release: () => {
      if (stillHeld()) unlinkSync(path);
    },
  };
}

function abandonedEmpty(path: string): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > EMPTY_LOCK_GRACE_MS;
  } catch {
    return false; // gone: the next attempt sees what is there now
  }
}
