import { commandAsRun } from './executable.ts';
import { redactSecrets } from './secret-patterns.ts';

export type CaptureDecision =
  | { readonly capture: true; readonly cmd: string }
  | { readonly capture: false; readonly reason: 'leading-space' | 'disabled' | 'ignored' | 'empty' };

export interface PrivacyRules {
  /** Glob patterns (`*`, `?`) over the trimmed command, and over it as run (see commandAsRun). */
  readonly ignore: readonly string[];
}

/**
 * Decides whether a command is stored and in what form. Runs before anything touches disk:
 * a leading space or `BIRD_DISABLED=1` means "do not record", ignore patterns drop whole
 * commands, and recognisable secrets are redacted from the rest.
 */
export function decideCapture(cmd: string, env: NodeJS.ProcessEnv, rules: PrivacyRules): CaptureDecision {
  const optOut = userOptOut(cmd, env);
  if (optOut) return { capture: false, reason: optOut };
  return applyStoredRules(cmd, rules);
}

/**
 * The rules that hold for stored commands too, not only at capture (`bird redact` applies them
 * after the fact): an ignore pattern drops the whole command, a recognisable secret is redacted.
 */
export function applyStoredRules(cmd: string, rules: PrivacyRules): CaptureDecision {
  const trimmed = cmd.trim();
  if (trimmed === '') return { capture: false, reason: 'empty' };
  // However the program was started (`npx bird …`, `time bird …`, a path to its script), a
  // pattern for it applies: the default `bird *` keeps all of bird's own commands out alike.
  const asRun = commandAsRun(trimmed);
  if (rules.ignore.some((glob) => globMatches(glob, trimmed) || (asRun !== trimmed && globMatches(glob, asRun)))) return { capture: false, reason: 'ignored' };
  return { capture: true, cmd: redactSecrets(cmd) };
}

/** The command matches a `[capture] output_ignore` pattern: it is stored, what it printed is not. */
export function outputIgnored(cmd: string, patterns: readonly string[]): boolean {
  const decision = applyStoredRules(cmd, { ignore: [...patterns] });
  return !decision.capture && decision.reason === 'ignored';
}

/**
 * The opt-outs a user expresses without any config: `BIRD_DISABLED=1` and a leading space.
 * Checked before the root is even created, so an opted-out command leaves no trace at all.
 */
export function userOptOut(cmd: string, env: NodeJS.ProcessEnv): 'disabled' | 'leading-space' | null {
  if (env.BIRD_DISABLED === '1') return 'disabled';
  if (cmd.startsWith(' ')) return 'leading-space';
  return null;
}

/**
 * Whether all of `text` matches `glob`: `*` is any run of characters (newlines too), `?` one
 * character, everything else itself. By hand rather than through a RegExp: every capture checks
 * each ignore pattern once, and compiling them cost a fresh process ~0.1 ms.
 */
export function globMatches(glob: string, text: string): boolean {
  let g = 0;
  let t = 0;
  // The last `*` seen, and where in the text its run would end if it took one more character.
  let star = -1;
  let starEnd = 0;
  while (t < text.length) {
    if (glob[g] === '*') {
      star = g++;
      starEnd = t;
    } else if (g < glob.length && (glob[g] === '?' || glob[g] === text[t])) {
      g++;
      t++;
    } else if (star !== -1) {
      g = star + 1;
      t = ++starEnd;
    } else {
      return false;
    }
  }
  while (glob[g] === '*') g++;
  return g === glob.length;
}
