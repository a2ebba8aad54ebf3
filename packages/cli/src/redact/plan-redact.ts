/**
 * What `bird redact` does to each stored command, as a pure function of the row and today's
 * rules: capture's own decision, made again. A command an ignore pattern now matches is forgotten
 * whole; one holding a secret a rule now recognises is stored again in its redacted form, under a
 * new id, and the old row forgotten (a forget travels to the lake and to every puller, where a
 * changed row would not: batches are immutable and rows are matched by id). The new id is derived
 * from the old one and the new text, so a run cut short and run again writes the same row.
 *
 * A command whose stored output holds a secret a rule now recognises is stored again the same way
 * (its text redacted too, if a rule touches it): its outputs can only go with it, since a forget
 * takes a command and what hangs off it, here, in the lake and at every puller.
 */
import { applyStoredRules, contentUuidv7, executableOf, type InvocationRow, type PrivacyRules } from '@bird/core';

export interface Redaction {
  readonly before: InvocationRow;
  /** The command as capture would have stored it today. */
  readonly after: InvocationRow;
}

export interface RedactPlan {
  /** Commands stored again without their secret. */
  readonly redact: readonly Redaction[];
  /** Commands an ignore pattern now keeps out, forgotten whole. */
  readonly forget: readonly InvocationRow[];
}

/**
 * True when today's rules change a command of this text: the decision depends on the text alone,
 * so a store is planned over its distinct texts, and only their rows are read whole.
 */
export function rulesTouch(cmd: string, rules: PrivacyRules): boolean {
  const decision = applyStoredRules(cmd, rules);
  return decision.capture ? decision.cmd !== cmd : decision.reason === 'ignored';
}

/**
 * The decision for one stored command: null when today's rules leave it as it is.
 * `outputsHoldSecret`: a stored output of the command holds a secret today's rules recognise.
 */
export function redactionOf(row: InvocationRow, rules: PrivacyRules, outputsHoldSecret = false): { kind: 'forget' } | { kind: 'redact'; after: InvocationRow } | null {
  const decision = applyStoredRules(row.cmd, rules);
  if (!decision.capture) return decision.reason === 'ignored' ? { kind: 'forget' } : null;
  if (decision.cmd === row.cmd && !outputsHoldSecret) return null;
  const startMs = Number(row.timestamp / 1000n);
  const after: InvocationRow = { ...row, id: contentUuidv7(startMs, `redacted\0${row.id}\0${decision.cmd}`), cmd: decision.cmd, executable: executableOf(decision.cmd) };
  return { kind: 'redact', after };
}

/** `withSecretOutputs`: the ids of the commands a stored output of which holds a secret today's rules recognise. */
export function planRedact(rows: Iterable<InvocationRow>, rules: PrivacyRules, withSecretOutputs: ReadonlySet<string> = new Set()): RedactPlan {
  const redact: Redaction[] = [];
  const forget: InvocationRow[] = [];
  for (const row of rows) {
    const outcome = redactionOf(row, rules, withSecretOutputs.has(row.id));
    if (outcome?.kind === 'forget') forget.push(row);
    else if (outcome?.kind === 'redact') redact.push({ before: row, after: outcome.after });
  }
  return { redact, forget };
}
