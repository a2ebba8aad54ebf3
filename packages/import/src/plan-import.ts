/**
 * What an import stores, as a pure function of the entries read, where they came from, and what
 * the store already holds. No I/O here: run-import.ts reads and writes.
 *
 * - **Once.** An entry's id is derived from what identifies it in its history (atuin's own id;
 *   else its start time and command, and which repeat of that pair it is), never from the clock
 *   or its line: importing the file again, or a longer or trimmed version of it, gives the same
 *   ids, and ids the store holds are skipped.
 * - **No doubles with live capture.** An entry whose command the hook already stored, from the
 *   same shell, starting within `LIVE_MATCH_US`, is the same command seen twice. An entry with
 *   no time is matched by the file's order and text instead (match-untimed.ts).
 * - **Order.** The file's order holds among what is imported (place-in-file-order.ts), and an
 *   entry with no time never sorts after a command the hook stored from that shell: it goes
 *   before the first of them, as it cannot say when it ran.
 * - **Privacy.** Every entry goes through core's `decideCapture`, as a live command does.
 */
import * as nodeCrypto from 'node:crypto';
import {
  contentUuidv7,
  decideCapture,
  executableOf,
  utcDateOfMicros,
  type InvocationRow,
  type PrivacyRules,
  type CaptureDecision,
  type SessionRow,
  type ShellName,
} from '@bird/core';
import type { AtuinHistoryEntry, HistoryEntry } from './history-entry.ts';
import { matchUntimedToCaptured, type CapturedRow } from './match-untimed.ts';
import { placeInFileOrder } from './place-in-file-order.ts';

/**
 * node:crypto's SHA-256, for ids in bulk (see contentUuidv7): its one-shot `hash` (Node 20.12+)
 * where there is one, ~2.5x faster than a Hash object per id.
 */
const nodeSha256: (content: string | Uint8Array) => Uint8Array =
  typeof nodeCrypto.hash === 'function' ? (content) => nodeCrypto.hash('sha256', content, 'buffer') : (content) => nodeCrypto.createHash('sha256').update(content).digest();

export const IMPORT_FORMATS = ['zsh', 'bash', 'fish', 'atuin'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** Imported rows' sessions start with this, so they can be told from captured ones. */
export const IMPORT_SESSION_PREFIX = 'import:';

/** How far apart a history entry and a captured command may start and still be one command (shell history has whole seconds). */
export const LIVE_MATCH_US = 2_000_000n;

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
  /** Invocation ids already in the store (a Set, or known-ids.ts's packed form). */
  readonly known: Pick<ReadonlySet<string>, 'has'>;
  /** Session ids already in the store (an earlier import of the same file). */
  readonly knownSessions: ReadonlySet<string>;
  /**
   * Commands the hook stored from `format`'s shell (any shell for atuin): those starting within
   * `LIVE_MATCH_US` of a timed entry, and every one when some entries have no time.
   */
  readonly captured: readonly CapturedRow[];
  /** When the first command the hook stored from that shell started; null if none. */
  readonly firstCapturedUs: bigint | null;
  /**
   * True for a command this machine forgot (`bird forget`): its text, started about then (any
   * time, for an entry with none), or any command started before a range forget's cutoff (by
   * `placedUs`, the time the entry is stored at, placed in file order when it has none). Such an
   * entry is not imported again.
   */
  readonly forgotten?: (cmd: string, startUs: bigint | null, placedUs: bigint) => boolean;
}

export interface ImportPlan {
  readonly invocations: InvocationRow[];
  readonly sessions: SessionRow[];
  readonly read: number;
  /** Already in the store: imported before, or captured live. */
  readonly duplicates: number;
  /** Left out by a leading space, `[capture] ignore` or an empty command. */
  readonly private: number;
  /** Left out as forgotten here (`bird forget`). */
  readonly forgotten: number;
}

export const isAtuin = (e: HistoryEntry): e is AtuinHistoryEntry => 'atuinId' in e;

export function planImport(entries: readonly HistoryEntry[], source: ImportSource, context: ImportContext): ImportPlan {
  const decisions = entries.map((entry) => decideCapture(entry.cmd, {}, context.rules));
  const repeats = new Map<string, number>();
  const ids = entries.map((entry) => importIdOf(entry, isAtuin(entry) ? '' : occurrence(repeats, repeatKeyOf(entry)), context.clientId, source.format));
  const live = liveDuplicates(entries, decisions, ids, context);
  const timestamps = placeInFileOrder(entries.map((e) => e.startUs), latestUntimedUs(source, context));
  const sessions = new Map<string, SessionRow>();
  const invocations: InvocationRow[] = [];
  let duplicates = 0;
  let privateCount = 0;
  let forgottenCount = 0;

  entries.forEach((entry, i) => {
    const decision = decisions[i]!;
    if (!decision.capture) {
      privateCount++;
      return;
    }
    if (context.known.has(ids[i]!) || live[i]) {
      duplicates++;
      return;
    }
    if (context.forgotten?.(decision.cmd, entry.startUs, timestamps[i]!)) {
      forgottenCount++;
      return;
    }
    const row = importedRowOf(entry, decision.cmd, ids[i]!, timestamps[i]!, source, context);
    invocations.push(row);
    const session = sessions.get(row.session_id);
    if (!context.knownSessions.has(row.session_id) && (!session || row.timestamp < session.registered_at)) {
      sessions.set(row.session_id, importedSessionOf(row, source));
    }
  });
  return { invocations, sessions: [...sessions.values()], read: entries.length, duplicates, private: privateCount, forgotten: forgottenCount };
}

/** What tells an entry from the others with its time and text (not atuin's: its own id does). */
export const repeatKeyOf = (entry: HistoryEntry): string => `${entry.startUs ?? ''}\0${entry.cmd}`;

/** An entry's id: `repeat` is its occurrence() of its repeatKeyOf in the file (unused for atuin's). */
export function importIdOf(entry: HistoryEntry, repeat: string, clientId: string, format: ImportFormat): string {
  const identity = isAtuin(entry) ? `atuin\0${entry.atuinId}` : repeat;
  return contentUuidv7(entry.startUs === null ? 0 : Number(entry.startUs / 1000n), `${IMPORT_SESSION_PREFIX}${clientId}\0${format}\0${identity}`, nodeSha256);
}

/** When an entry without a time ran at the latest: the file's modification, or the hook's first command from that shell if earlier. */
export function latestUntimedUs(source: ImportSource, context: Pick<ImportContext, 'firstCapturedUs'>): bigint {
  return context.firstCapturedUs !== null && context.firstCapturedUs < source.mtimeUs ? context.firstCapturedUs : source.mtimeUs;
}

/** The row an entry is stored as: `cmd` as the privacy rules left it, at `timestamp` (placed in file order). */
export function importedRowOf(entry: HistoryEntry, cmd: string, id: string, timestamp: bigint, source: ImportSource, context: Pick<ImportContext, 'clientId' | 'hostname'>): InvocationRow {
  const atuin = isAtuin(entry) ? entry : null;
  return {
    id,
    session_id: importSessionIdOf(source, atuin?.session ?? null),
    timestamp,
    duration_ms: entry.durationMs,
    cwd: atuin?.cwd ?? null,
    cmd,
    executable: executableOf(cmd),
    exit_code: atuin?.exitCode ?? null,
    client_id: context.clientId,
    hostname: atuin ? atuin.hostname : context.hostname,
    shell: shellOf(source.format),
    date: utcDateOfMicros(timestamp),
  };
}

/**
 * The session of an entry from `source` (atuin's keep theirs apart). The last one is kept: the
 * rows of a file share one, and a batch holds one string for them rather than one a row.
 */
function importSessionIdOf(source: ImportSource, atuinSession: string | null): string {
  const last = lastSession;
  if (last && last.source === source && last.atuinSession === atuinSession) return last.id;
  const id = `${IMPORT_SESSION_PREFIX}${source.format}:${source.path}${atuinSession ? `#${atuinSession}` : ''}`;
  lastSession = { source, atuinSession, id };
  return id;
}

let lastSession: { source: ImportSource; atuinSession: string | null; id: string } | undefined;

/** The session of an imported row, registered when `row` ran (its first imported command). */
export function importedSessionOf(row: InvocationRow, source: ImportSource): SessionRow {
  return { session_id: row.session_id, client_id: row.client_id, invoker: shellOf(source.format), invoker_pid: null, registered_at: row.timestamp, cwd: null, date: row.date };
}

const shellOf = (format: ImportFormat): ShellName | null => (format === 'atuin' ? null : format);

/** The captured rows by command, for capturedNear. */
export function capturedByCmd(captured: readonly CapturedRow[]): Map<string, number[]> {
  const byCmd = new Map<string, number[]>();
  captured.forEach((row, index) => (byCmd.get(row.cmd) ?? byCmd.set(row.cmd, []).get(row.cmd)!).push(index));
  return byCmd;
}

/** The captured rows (indexes) of `cmd` that started within LIVE_MATCH_US of `startUs`: the same command, seen twice. */
export function capturedNear(byCmd: ReadonlyMap<string, number[]>, captured: readonly CapturedRow[], cmd: string, startUs: bigint): number[] {
  return (byCmd.get(cmd) ?? []).filter((index) => distance(captured[index]!.startUs, startUs) <= LIVE_MATCH_US);
}

/**
 * Which entries the hook already stored: a timed one when a row of its command started within
 * `LIVE_MATCH_US` of it; one with no time by order and text (matchUntimedToCaptured), against
 * the rows no timed entry accounts for. Private entries and ids imported before take no part.
 */
function liveDuplicates(entries: readonly HistoryEntry[], decisions: readonly CaptureDecision[], ids: readonly string[], context: ImportContext): boolean[] {
  const byCmd = capturedByCmd(context.captured);
  const accounted = new Set<number>();
  const live = entries.map((entry, i) => {
    const decision = decisions[i]!;
    if (entry.startUs === null || !decision.capture) return false;
    const near = capturedNear(byCmd, context.captured, decision.cmd, entry.startUs);
    for (const index of near) accounted.add(index);
    return near.length > 0;
  });
  if (!entries.some((e) => e.startUs === null)) return live;
  const commands = entries.map((entry, i) => {
    const decision = decisions[i]!;
    return entry.startUs === null && decision.capture && !context.known.has(ids[i]!) ? decision.cmd : null;
  });
  const matched = matchUntimedToCaptured(commands, context.captured.filter((_, index) => !accounted.has(index)));
  return live.map((isLive, i) => isLive || matched[i]! >= 0);
}

/** `key`, made unique by which repeat of it this is (the same command at the same second, twice); null `repeats`: a key seen once. */
export function occurrence(repeats: Map<string, number> | null, key: string): string {
  if (repeats === null) return `${key}\0${0}`;
  const n = repeats.get(key) ?? 0;
  repeats.set(key, n + 1);
  return `${key}\0${n}`;
}

function distance(a: bigint, b: bigint): bigint {
  return a > b ? a - b : b - a;
}
