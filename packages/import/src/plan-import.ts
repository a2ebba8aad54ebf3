/**
 * What an import stores, as a pure function of the entries read, where they came from, and what
 * the store already holds. No I/O here: run-import.ts reads and writes.
 *
 * - **Once.** An entry's id is derived from what identifies it in its history (atuin's own id;
 *   else its start time and command, and which repeat of that pair it is), never from the clock
 *   or its line: importing the file again, or a longer or trimmed version of it, gives the same
 *   ids, and ids the store holds are skipped.
 * - **No doubles with live capture.** An entry whose command the hook already stored, from the
 *   same shell, starting within `LIVE_MATCH_US`, is the same command seen twice.
 * - **Privacy.** Every entry goes through core's `decideCapture`, as a live command does.
 */
import { createHash } from 'node:crypto';
import {
  contentUuidv7,
  decideCapture,
  executableOf,
  utcDateOfMicros,
  type InvocationRow,
  type PrivacyRules,
  type SessionRow,
  type ShellName,
} from '@bird/core';
import type { AtuinHistoryEntry, HistoryEntry } from './history-entry.ts';

/** node:crypto's SHA-256, for ids in bulk (see contentUuidv7). */
const nodeSha256 = (content: string | Uint8Array): Uint8Array => createHash('sha256').update(content).digest();

export const IMPORT_FORMATS = ['zsh', 'bash', 'fish', 'atuin'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** Imported rows' sessions start with this, so they can be told from captured ones. */
export const IMPORT_SESSION_PREFIX = 'import:';

/** How far apart a history entry and a captured command may start and still be one command (shell history has whole seconds). */
export const LIVE_MATCH_US = 2_000_000n;
const SECOND_US = 1_000_000n;

export interface ImportSource {
  readonly format: ImportFormat;
  /** The file, absolute: it names the imported sessions. */
  readonly path: string;
  /** The file's modification time: when the entries of a history without times ran at the latest. */
  readonly mtimeUs: bigint;
}

export interface ImportContext {
  readonly clientId: string;
  /** This machine's host name, for the shells' histories (atuin records its own). */
  readonly hostname: string;
  readonly env: NodeJS.ProcessEnv;
  readonly rules: PrivacyRules;
  /** Invocation ids already in the store. */
  readonly known: ReadonlySet<string>;
  /** Session ids already in the store (an earlier import of the same file). */
  readonly knownSessions: ReadonlySet<string>;
  /** Start times (µs) of commands live capture stored, by stored (redacted) command; only those of `format`'s shell (any shell for atuin). */
  readonly captured: ReadonlyMap<string, readonly bigint[]>;
}

export interface ImportPlan {
  readonly invocations: InvocationRow[];
  readonly sessions: SessionRow[];
  readonly read: number;
  /** Already in the store: imported before, or captured live. */
  readonly duplicates: number;
  /** Left out by a leading space, `[capture] ignore` or an empty command. */
  readonly private: number;
}

const isAtuin = (e: HistoryEntry): e is AtuinHistoryEntry => 'atuinId' in e;

export function planImport(entries: readonly HistoryEntry[], source: ImportSource, context: ImportContext): ImportPlan {
  const shell: ShellName | null = source.format === 'atuin' ? null : source.format;
  const untimed = entries.filter((e) => e.startUs === null).length;
  const repeats = new Map<string, number>();
  const sessions = new Map<string, SessionRow>();
  const invocations: InvocationRow[] = [];
  let duplicates = 0;
  let privateCount = 0;
  let untimedSeen = 0;
  let previous: bigint | null = null;

  for (const entry of entries) {
    // A history without times lists commands oldest first, all before the file was last written:
    // they are placed just before that, a microsecond apart, so they keep their order. Shells
    // write whole seconds: commands of one second are kept in the file's order the same way.
    let timestamp = entry.startUs ?? source.mtimeUs - BigInt(untimed - untimedSeen++);
    if (entry.startUs !== null && previous !== null && timestamp <= previous && previous - timestamp < SECOND_US) timestamp = previous + 1n;
    previous = timestamp;
    const identity = isAtuin(entry) ? `atuin\0${entry.atuinId}` : occurrence(repeats, `${entry.startUs ?? ''}\0${entry.cmd}`);
    const id = contentUuidv7(entry.startUs === null ? 0 : Number(entry.startUs / 1000n), `${IMPORT_SESSION_PREFIX}${context.clientId}\0${source.format}\0${identity}`, nodeSha256);

    const decision = decideCapture(entry.cmd, {}, context.rules);
    if (!decision.capture) {
      privateCount++;
      continue;
    }
    if (context.known.has(id) || (entry.startUs !== null && capturedNear(context.captured.get(decision.cmd), entry.startUs))) {
      duplicates++;
      continue;
    }
    const atuin = isAtuin(entry) ? entry : null;
    const sessionId = `${IMPORT_SESSION_PREFIX}${source.format}:${source.path}${atuin?.session ? `#${atuin.session}` : ''}`;
    const date = utcDateOfMicros(timestamp);
    invocations.push({
      id,
      session_id: sessionId,
      timestamp,
      duration_ms: entry.durationMs,
      cwd: atuin?.cwd ?? null,
      cmd: decision.cmd,
      executable: executableOf(decision.cmd),
      exit_code: atuin?.exitCode ?? null,
      client_id: context.clientId,
      hostname: atuin ? atuin.hostname : context.hostname,
      shell,
      date,
    });
    const session = sessions.get(sessionId);
    if (!context.knownSessions.has(sessionId) && (!session || timestamp < session.registered_at)) {
      sessions.set(sessionId, { session_id: sessionId, client_id: context.clientId, invoker: shell, invoker_pid: null, registered_at: timestamp, cwd: null, date });
    }
  }
  return { invocations, sessions: [...sessions.values()], read: entries.length, duplicates, private: privateCount };
}

/** `key`, made unique by which repeat of it this is (the same command at the same second, twice). */
function occurrence(repeats: Map<string, number>, key: string): string {
  const n = repeats.get(key) ?? 0;
  repeats.set(key, n + 1);
  return `${key}\0${n}`;
}

function capturedNear(starts: readonly bigint[] | undefined, startUs: bigint): boolean {
  if (!starts) return false;
  return starts.some((s) => (s > startUs ? s - startUs : startUs - s) <= LIVE_MATCH_US);
}
