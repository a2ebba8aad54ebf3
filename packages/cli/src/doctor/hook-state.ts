/**
 * Whether the shell `bird doctor` was typed in is hooked. The hooks export `BIRD_HOOKED=<shell>:<pid>`
 * when sourced; a child process inherits it from every shell above it, so the marker alone
 * does not say that the nearest shell is the hooked one. The process's ancestors (from /proc)
 * do: the marked pid must be an ancestor, with no other zsh, bash or fish between.
 */
import { readFileSync } from 'node:fs';
import { SHELLS, type ShellName } from '@bird/core';

/** The variable the hooks export. */
export const HOOK_MARKER = 'BIRD_HOOKED';

export interface ProcessInfo {
  readonly pid: number;
  /** The program's name, as /proc/PID/comm says it. */
  readonly comm: string;
}

export type HookState =
  /** The nearest shell above this process sourced the hook. */
  | { readonly kind: 'hooked'; readonly shell: ShellName; readonly pid: number }
  /** The marker says so, but there is no /proc to check it against. */
  | { readonly kind: 'unverified'; readonly shell: ShellName; readonly pid: number }
  /** A shell that did not source the hook runs inside the hooked one: its commands are not captured. */
  | { readonly kind: 'nested'; readonly shell: ShellName; readonly pid: number; readonly inner: ProcessInfo }
  /** The marked shell is not an ancestor: the environment came from elsewhere (a tmux server, a saved env). */
  | { readonly kind: 'inherited'; readonly shell: ShellName; readonly pid: number }
  | { readonly kind: 'none' }
  | { readonly kind: 'bad-marker'; readonly value: string };

export function parseHookMarker(value: string): { shell: ShellName; pid: number } | null {
  const match = /^([a-z]+):([1-9][0-9]{0,9})$/.exec(value);
  if (!match || !(SHELLS as readonly string[]).includes(match[1]!)) return null;
  return { shell: match[1] as ShellName, pid: Number(match[2]) };
}

/** True for a process that is one of the shells bird hooks (`-zsh` for a login shell, `zsh5` for a versioned binary). */
const isShell = (comm: string, shell?: ShellName) => SHELLS.some((s) => (shell === undefined || s === shell) && comm.replace(/^-/, '').startsWith(s));

/** The shell nearest above this process among `ancestors` (nearest first), null when none is one. */
export function nearestShell(ancestors: readonly ProcessInfo[]): ShellName | null {
  const shell = ancestors.find((p) => isShell(p.comm));
  return shell === undefined ? null : SHELLS.find((s) => isShell(shell.comm, s))!;
}

/**
 * The hook state from the marker and this process's ancestors, nearest first (null when they
 * cannot be read). Pure.
 */
export function judgeHook(marker: string | undefined, ancestors: readonly ProcessInfo[] | null): HookState {
  if (marker === undefined || marker === '') return { kind: 'none' };
  const parsed = parseHookMarker(marker);
  if (parsed === null) return { kind: 'bad-marker', value: marker };
  if (ancestors === null) return { kind: 'unverified', ...parsed };
  const at = ancestors.findIndex((p) => p.pid === parsed.pid);
  // A pid reused by another program, or a shell that exec'd another one, is not the hooked shell.
  if (at === -1 || !isShell(ancestors[at]!.comm, parsed.shell)) return { kind: 'inherited', ...parsed };
  const inner = ancestors.slice(0, at).find((p) => isShell(p.comm));
  return inner ? { kind: 'nested', ...parsed, inner } : { kind: 'hooked', ...parsed };
}

/** This process's ancestors, its parent first, up to (not including) pid 1; null where /proc cannot tell. */
export function readAncestors(): ProcessInfo[] | null {
  const out: ProcessInfo[] = [];
  for (let pid = process.ppid; pid > 1 && out.length < 64; ) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      // the process exited, or /proc is hidden: the chain known so far is all there is
      return out.length === 0 ? null : out;
    }
    // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so it ends at the last `)`.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    out.push({ pid, comm });
    if (!Number.isSafeInteger(ppid)) break;
    pid = ppid;
  }
  return out;
}
