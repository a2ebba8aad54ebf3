import type { InvocationRow } from '@bird/core';

/**
 * One command read from a history file. What the format does not record is null, never a
 * stand-in 0 or -1: a plain zsh or bash history has no times, no history file has a cwd.
 */
export interface HistoryEntry {
  readonly cmd: string;
  /** When the command started, microseconds since the Unix epoch (as `invocations.timestamp`). */
  readonly startUs: InvocationRow['timestamp'] | null;
  readonly durationMs: InvocationRow['duration_ms'];
  /**
   * 1-based line of the file where the entry starts (its `: <start>:…` line in zsh, its
   * `#<epoch>` line in bash, its `- cmd:` line in fish; for atuin, the row's position, see
   * AtuinHistoryEntry). Together with the file it names the entry, for ids that stay the same
   * when the same file is imported again.
   */
  readonly line: number;
}

/** An atuin row knows more than a shell's history file. */
export interface AtuinHistoryEntry extends HistoryEntry {
  /** atuin's own id of the row: unlike `line`, it stays the same when rows are added or deleted. */
  readonly atuinId: string;
  readonly cwd: InvocationRow['cwd'];
  readonly exitCode: InvocationRow['exit_code'];
  /** The host part of atuin's `host:user`. */
  readonly hostname: InvocationRow['hostname'];
  /** The user part of atuin's `host:user`. */
  readonly user: string | null;
  /** atuin's session id (a UUID, not a BIRD session id). */
  readonly session: string | null;
}

/**
 * What a parser read. A damaged file (a write torn by a crash, a block of NUL bytes, text
 * that is not UTF-8) does not fail the whole import: the entries that can be read are kept,
 * and the ones that cannot are counted in `unreadable` and located in `unreadableLines`, for
 * the command to report (`~/.zsh_history, line 812: …`).
 */
export interface HistoryParse<E extends HistoryEntry = HistoryEntry> {
  readonly entries: E[];
  /** How many entries could not be read. For a history file, `unreadableLines.length`. */
  readonly unreadable: number;
  /**
   * Where each unreadable entry starts: the 1-based line of the file, counted as `line` is (so
   * for an entry spanning several lines, its first one: the `: <start>:…` line in zsh, the
   * `#<epoch>` line in bash even when the damage is in a line below it, the `- cmd:` line in
   * fish), one per entry counted in `unreadable`, in file order. Empty for atuin: a database has
   * no lines, and a row's position in it is no place a user can look up, so there `unreadable`
   * counts rows and this says nothing (see AtuinHistoryParse).
   */
  readonly unreadableLines: readonly number[];
}
