/**
 * Names of the files in `$BIRD_ROOT/spool/`. The hooks build the spool names; the drainer
 * builds the claim names. Everything a drainer needs to decide ownership is in the name.
 *
 * - `<pid>.<session>.spool`        zsh and bash: one per shell, appended to after each command.
 * - `<pid>.<session>.<seq>.spool`  fish: one per command, so its mtime is the command's end.
 * - `<spool name>.<drainer pid>.<n>.claim`  a spool file a drainer has taken by renaming it; `n`
 *                                  makes every claim of one drainer distinct, because a shell's
 *                                  spool is claimed again while an older claim of it is still
 *                                  held (in its grace period, or after a failed write). Claims
 *                                  without `.<n>` were written by versions before 2026-12.
 * - `<pid>.<session>.hist`         bash: scratch file for `history 1`, overwritten in place each
 *                                  prompt (never truncated: older text can linger past the NUL that
 *                                  ends the current entry); deleted once its shell is gone.
 * - `drainer.pid`                  `<pid> <boot id>` of the drainer shells can count on (named
 *                                  in core's paths.ts, where the hooks' copy is made from).
 */

export { DRAINER_MARKER } from '@bird/core';

export interface SpoolName {
  readonly kind: 'spool';
  readonly name: string;
  /** The shell that appends to it. */
  readonly ownerPid: number;
  /** True for a per-shell file the shell keeps appending to (zsh, bash); false for fish's one-shot files. */
  readonly appendable: boolean;
  /** The shell's session, and for fish's one-shot files their number in it (the order its commands ran in). */
  readonly session: string;
  readonly seq: number | null;
}

export interface ClaimName {
  readonly kind: 'claim';
  readonly name: string;
  readonly spool: SpoolName;
  readonly claimerPid: number;
  /** Distinguishes claims of one spool by one drainer; 0 for the old form without it. */
  readonly seq: number;
}

export interface HistName {
  readonly kind: 'hist';
  readonly name: string;
  readonly ownerPid: number;
}

export type SpoolDirEntry = SpoolName | ClaimName | HistName;

const SPOOL = /^([1-9][0-9]{0,9})\.([A-Za-z0-9_-]{1,200})(\.[0-9]{1,12})?\.spool$/;
const CLAIM = /^(.+\.spool)\.([1-9][0-9]{0,9})(?:\.([1-9][0-9]{0,8}))?\.claim$/;
const HIST = /^([1-9][0-9]{0,9})\.([A-Za-z0-9_-]{1,200})\.hist$/;

/** What a file in the spool folder is, or null for anything else (left alone). */
export function parseSpoolName(name: string): SpoolDirEntry | null {
  const spool = SPOOL.exec(name);
  if (spool) return { kind: 'spool', name, ownerPid: Number(spool[1]), appendable: spool[3] === undefined, session: spool[2]!, seq: spool[3] === undefined ? null : Number(spool[3].slice(1)) };
  const claim = CLAIM.exec(name);
  if (claim) {
    const inner = parseSpoolName(claim[1]!);
    if (inner?.kind !== 'spool') return null;
    return { kind: 'claim', name, spool: inner, claimerPid: Number(claim[2]), seq: claim[3] === undefined ? 0 : Number(claim[3]) };
  }
  const hist = HIST.exec(name);
  if (hist) return { kind: 'hist', name, ownerPid: Number(hist[1]) };
  return null;
}

export function claimName(spoolName: string, drainerPid: number, seq: number): string {
  return `${spoolName}.${drainerPid}.${seq}.claim`;
}

/**
 * The order to store claims in: by shell and session, a fish session's one-shot files by their
 * number (the order its commands ran in, see keepSessionOrder), then by name.
 */
export function compareClaims(a: string, b: string): number {
  const x = parseSpoolName(a);
  const y = parseSpoolName(b);
  if (x?.kind === 'claim' && y?.kind === 'claim') {
    const d = x.spool.ownerPid - y.spool.ownerPid || (x.spool.session < y.spool.session ? -1 : x.spool.session > y.spool.session ? 1 : 0) || (x.spool.seq ?? -1) - (y.spool.seq ?? -1);
    if (d !== 0) return d;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
