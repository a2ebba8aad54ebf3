/**
 * Which stored commands a `bird forget` takes, as a pure function of what the store holds and
 * what was asked: this machine's own commands only. A teammate's (pulled from a remote) is
 * theirs to forget, and an id stored nowhere here is named, not guessed at.
 */
import { globMatches } from '@bird/core';

export interface StoredCommand {
  readonly id: string;
  readonly cmd: string;
  /** Start, epoch microseconds. */
  readonly startUs: number;
  /** `local`, or the remote it was pulled from. */
  readonly source: string;
  readonly clientId: string;
}

export interface ForgetRequest {
  /** Ids named on the command line (exactly these). */
  readonly ids?: readonly string[];
  /** A glob (`*`, `?`), as `[capture] ignore` patterns: matched against the whole command, trimmed. */
  readonly match?: string;
  /** Only commands that started at or after this (epoch µs). */
  readonly sinceUs?: number;
  /** Only commands that started before this (epoch µs). */
  readonly beforeUs?: number;
}

export interface ForgetPlan {
  /** This machine's commands to forget, oldest first. */
  readonly forget: readonly StoredCommand[];
  /** Asked for, but a teammate's: left alone. */
  readonly teammates: readonly StoredCommand[];
  /** Ids asked for that no stored command has. */
  readonly unknown: readonly string[];
}

export function planForget(stored: readonly StoredCommand[], request: ForgetRequest): ForgetPlan {
  const asked = request.ids ? new Set(request.ids) : null;
  const inRange = (c: StoredCommand) => (request.sinceUs === undefined || c.startUs >= request.sinceUs) && (request.beforeUs === undefined || c.startUs < request.beforeUs);
  const wanted = stored.filter((c) => (asked ? asked.has(c.id) : true) && (request.match === undefined || globMatches(request.match, c.cmd.trim())) && inRange(c));
  const seen = new Set<string>();
  const once = wanted.filter((c) => !seen.has(c.id) && seen.add(c.id));
  const byTime = (a: StoredCommand, b: StoredCommand) => a.startUs - b.startUs || (a.id < b.id ? -1 : 1);
  const found = new Set(stored.map((c) => c.id));
  return {
    forget: once.filter((c) => c.source === 'local').sort(byTime),
    teammates: once.filter((c) => c.source !== 'local').sort(byTime),
    unknown: asked ? [...asked].filter((id) => !found.has(id)) : [],
  };
}
