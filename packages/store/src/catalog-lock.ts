/**
 * Opening bird.duckdb. A process holding it read-write blocks every other process, READ_ONLY
 * readers included ("Could not set lock"), so readers open READ_ONLY, the one writer (init,
 * view rebuilds) holds it only briefly, and both retry with backoff up to a bounded wait.
 * Inside one process DuckDB takes no file lock against itself, so the same rule is kept
 * here with a counter per catalog path.
 */
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import { birdLayout, classifyDuckDBError, duckdbTempOptions, inodeAt } from '@bird/core';
import { StoreBusyError } from './errors.ts';

export interface LockOptions {
  /** How long to keep retrying while the catalog is held elsewhere; default 15 s. */
  readonly lockTimeoutMs?: number;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 15_000;

const inProcess = new Map<string, { readers: number; writer: boolean }>();
const stateOf = (path: string) => {
  let s = inProcess.get(path);
  if (!s) inProcess.set(path, (s = { readers: 0, writer: false }));
  return s;
};

export interface OpenCatalog {
  readonly instance: DuckDBInstance;
  /** Closes the instance and releases the in-process claim; safe to call twice. */
  release(): void;
}

export async function openCatalog(path: string, access: 'read_only' | 'read_write', options: LockOptions = {}): Promise<OpenCatalog> {
  const timeout = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const started = Date.now();
  let delay = 20;
  for (;;) {
    const state = stateOf(path);
    const free = access === 'read_only' ? !state.writer : !state.writer && state.readers === 0;
    let lastError: unknown;
    if (free) {
      // Claim before the await so two opens in this process cannot both pass the check.
      if (access === 'read_only') state.readers++;
      else state.writer = true;
      try {
        // The catalog is `<root>/db/bird.duckdb`; its instance spills into this process's own folder of `db/tmp`.
        const spill = duckdbTempOptions(birdLayout(dirname(dirname(path))));
        const fileBefore = inodeAt(path);
        const instance = await DuckDBInstance.create(path, access === 'read_only' ? { access_mode: 'READ_ONLY', ...spill } : spill);
        if (fileBefore !== null && inodeAt(path) !== fileBefore) {
          // A rewrite (see modes/duckdb/rewrite-catalog.ts) put a new file at the path while this
          // one was being opened: what was locked may be the old file, which nobody reads again.
          instance.closeSync();
          if (access === 'read_only') state.readers--;
          else state.writer = false;
          continue;
        }
        let released = false;
        return {
          instance,
          release() {
            if (released) return;
            released = true;
            try {
              instance.closeSync();
            } finally {
              if (access === 'read_only') state.readers--;
              else state.writer = false;
            }
          },
        };
      } catch (error) {
        if (access === 'read_only') state.readers--;
        else state.writer = false;
        if (classifyDuckDBError(error).kind !== 'locked') throw error;
        lastError = error;
      }
    }
    const waited = Date.now() - started;
    if (waited >= timeout) throw new StoreBusyError(path, waited, { cause: lastError });
    await sleep(Math.min(delay, timeout - waited));
    delay = Math.min(delay * 2, 500);
  }
}

