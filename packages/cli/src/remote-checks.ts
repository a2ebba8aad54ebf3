// The checks of one remote that `bird remote test` and `bird doctor` run: reachable, credentials
// accepted, (remote test only) writable, and its lake index intact. One line per check, given to
// a reporter; never a credential.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RemoteConfig } from '@bird/core';
import { createRemoteBackend, LAKE_META, parseRemoteUri, RemoteAccessError, type RemoteBackend } from '@bird/remote';
import type { LakeHealth } from '@bird/sync-worker';

export type CheckStatus = 'ok' | 'FAIL' | 'skip';
export type CheckName = 'reachable' | 'credentials' | 'write' | 'index';
export type Report = (status: CheckStatus, check: CheckName, text: string) => void;

export interface CheckOptions {
  /** The id the write check's probe object is named after. */
  readonly clientId: string;
  /** False: the write check is left out (`bird doctor` changes nothing on a remote). */
  readonly write: boolean;
  /**
   * Run with the backend still open once the remote was reached with its credentials accepted
   * (a lake, not a `.duckdb` remote); `health` is what the index check read, null when it failed.
   */
  readonly whileOpen?: (backend: RemoteBackend, health: LakeHealth | null) => Promise<void>;
}

const DATABASE_WRITE_SKIP = 'write: a .duckdb remote is never written (push needs a folder or prefix uri)';

/** How long the checks wait for an S3 endpoint before calling it unreachable. */
export const CHECK_TIMEOUT_MS = 3000;

/** A failure's sentence, or for anything else its message (never a stack). */
const sentence = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

/**
 * Why the write check is never run on `remote`, whatever the others find (it is read_only, or a
 * `.duckdb` database); undefined for a lake this machine pushes to.
 */
function neverWritten(remote: RemoteConfig, database: boolean): string | undefined {
  if (database) return DATABASE_WRITE_SKIP;
  if (remote.mode === 'read_only') return 'write: the remote is read_only';
  return undefined;
}

/** The reachability check failed: the other checks cannot run. */
function notReachable(report: Report, text: string, options: CheckOptions, skipWrite: string | undefined): void {
  report('FAIL', 'reachable', `reachable: ${text}`);
  report('skip', 'credentials', 'credentials: the remote is not reachable');
  if (options.write) report('skip', 'write', skipWrite ?? 'write: the remote is not reachable');
}

export async function checkRemote(remote: RemoteConfig, report: Report, options: CheckOptions): Promise<void> {
  let database = false;
  try {
    database = parseRemoteUri(remote.type, remote.uri, { cwd: process.cwd() }).database;
  } catch (error) {
    notReachable(report, sentence(error), options, neverWritten(remote, false));
    return;
  }
  if (database && remote.type === 'file') return checkDatabaseFile(remote, report, options);

  let backend: RemoteBackend;
  try {
    backend = await createRemoteBackend(remote, { timeoutMs: CHECK_TIMEOUT_MS });
  } catch (error) {
    notReachable(report, sentence(error), options, neverWritten(remote, database));
    return;
  }
  try {
    if (!(await checkListing(remote, backend, database, report, options))) return;
    if (options.write) {
      const skip = neverWritten(remote, database);
      if (skip !== undefined) report('skip', 'write', skip);
      else await checkWrite(backend, options.clientId, report);
    }
    if (database) return;
    const health = await checkIndex(remote, backend, report);
    await options.whileOpen?.(backend, health);
  } finally {
    backend.close();
  }
}

/**
 * Reachability and credentials in one request: list `_bird/` (or, for a `.duckdb` object, its
 * own key). True when both passed and the other checks may run.
 */
async function checkListing(remote: RemoteConfig, backend: RemoteBackend, database: boolean, report: Report, options: CheckOptions): Promise<boolean> {
  const skipWrite = neverWritten(remote, database);
  const unreachable = (text: string) => (notReachable(report, text, options, skipWrite), false);
  let found: boolean;
  try {
    // A .duckdb object's backend has the object's key as its prefix, so the object itself is key ''.
    if (database) found = (await backend.list('')).some((o) => o.key === '');
    else {
      await backend.list(LAKE_META_PREFIX);
      found = true;
    }
  } catch (error) {
    const refused = error instanceof RemoteAccessError && error.failure === 'denied';
    const missing = error instanceof RemoteAccessError && error.failure === 'no-credentials';
    if (!refused && !missing) return unreachable(sentence(error));
    // With no credentials to sign it, no request went out: whether the remote is there is not known.
    if (refused) report('ok', 'reachable', `reachable: ${backend.location}`);
    else report('skip', 'reachable', 'reachable: not tried without credentials');
    report('FAIL', 'credentials', `credentials: ${sentence(error)}`);
    const why = missing ? 'write: not tried without credentials' : remote.type === 's3' ? 'write: the credentials were refused' : 'write: the folder cannot be read';
    if (options.write) report('skip', 'write', skipWrite ?? why);
    return false;
  }
  if (!found) return unreachable(`${backend.location} does not exist; check the remote's uri.`);
  report('ok', 'reachable', `reachable: ${backend.location}`);
  report('ok', 'credentials', remote.type === 's3' ? 'credentials accepted' : 'credentials: none needed; the folder can be read');
  return true;
}

/** bird's own metadata in a lake: listing it is cheap, whatever the lake holds. */
const LAKE_META_PREFIX = `${LAKE_META}/`;

/** Stores a small probe object under `_bird/probe/` and deletes it again. */
async function checkWrite(backend: RemoteBackend, clientId: string, report: Report): Promise<void> {
  const who = clientId.replace(/[^A-Za-z0-9@._-]/g, '_').slice(0, 100) || 'client';
  const key = `${LAKE_META_PREFIX}probe/${who}-${process.pid}-${randomBytes(4).toString('hex')}.txt`;
  const dir = await mkdtemp(join(tmpdir(), 'bird-probe-'));
  try {
    const source = join(dir, 'probe.txt');
    await writeFile(source, `written by bird remote test; safe to delete\n`, { mode: 0o600 });
    try {
      await backend.put(key, source);
    } catch (error) {
      report('FAIL', 'write', `write: ${sentence(error)}`);
      return;
    }
    try {
      await backend.remove(key);
    } catch (error) {
      report('FAIL', 'write', `write: stored ${key} but could not delete it (${sentence(error).replace(/\.$/, '')}); delete it by hand.`);
      return;
    }
    report('ok', 'write', `write: stored and removed a probe object under ${LAKE_META_PREFIX}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The lake's index: its format object, and each client's head and last segment (sync-worker's checkLakeIndex). */
async function checkIndex(remote: RemoteConfig, backend: RemoteBackend, report: Report): Promise<LakeHealth | null> {
  const { checkLakeIndex } = await import('@bird/sync-worker');
  const scratch = await mkdtemp(join(tmpdir(), 'bird-index-'));
  try {
    const health = await checkLakeIndex(backend, remote.name, scratch);
    if (!health.indexed) report('ok', 'index', 'index: none yet (no bird has pushed here; pulls list the lake)');
    else if (health.damage.length === 0) report('ok', 'index', `index: intact (${health.series} series)`);
    else {
      const more = health.damage.length > 1 ? ` (and ${health.damage.length - 1} more)` : '';
      report('FAIL', 'index', `index: ${health.damage[0]}${more}; pulls read the damaged series by listing it, and its owner's \`bird remote repair ${remote.name}\` rewrites it.`);
    }
    return health;
  } catch (error) {
    report('FAIL', 'index', `index: ${sentence(error)}`);
    return null;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** A file remote whose uri is a `.duckdb` database file: it must exist and be readable. */
async function checkDatabaseFile(remote: RemoteConfig, report: Report, options: CheckOptions): Promise<void> {
  const path = parseRemoteUri('file', remote.uri, { cwd: process.cwd() });
  const file = path.type === 'file' ? path.root : remote.uri;
  let reachable: string | undefined;
  try {
    if (!(await stat(file)).isFile()) reachable = `${file} is not a file; check the remote's uri.`;
  } catch (error) {
    reachable = `${file} is not reachable (${(error as NodeJS.ErrnoException).code ?? sentence(error)}); check the remote's uri and that it is mounted.`;
  }
  if (reachable !== undefined) {
    notReachable(report, reachable, options, DATABASE_WRITE_SKIP);
    return;
  }
  report('ok', 'reachable', `reachable: ${file}`);
  try {
    await access(file, constants.R_OK);
    report('ok', 'credentials', 'credentials: none needed; the file can be read');
  } catch (error) {
    report('FAIL', 'credentials', `credentials: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? sentence(error)}); check the file's permissions.`);
  }
  if (options.write) report('skip', 'write', DATABASE_WRITE_SKIP);
}
