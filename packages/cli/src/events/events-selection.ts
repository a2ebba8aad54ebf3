import { quoteLiteral } from '@bird/core';

/** Which commands `bird events` reads: one by id, the N newest with stored output, or all; since an instant. */
export interface EventsSelection {
  readonly id?: string;
  readonly newest?: number;
  readonly sinceUs?: number;
}

/** `-3`: the operand that asks for the 3 newest commands with stored output. */
const NEWEST = /^-([1-9][0-9]{0,5})$/;

/** The arguments without a `-N` operand, and N (parseCommand would take `-3` for an unknown option). */
export function takeNewest(args: readonly string[]): { args: string[]; newest?: number } {
  const at = args.findIndex((a) => NEWEST.test(a));
  if (at === -1 || args.slice(0, at).includes('--')) return { args: [...args] };
  return { args: [...args.slice(0, at), ...args.slice(at + 1)], newest: Number(NEWEST.exec(args[at]!)![1]) };
}

/** A condition over `i`, a row of main.invocations, true for the selected commands. */
export function commandCondition(selection: EventsSelection): string {
  const parts: string[] = [];
  if (selection.id !== undefined) parts.push(`i.id = ${quoteLiteral(selection.id)}`);
  if (selection.newest !== undefined) {
    parts.push(
      `i.id IN (SELECT o.invocation_id FROM main.outputs o JOIN main.invocations n ON n.id = o.invocation_id GROUP BY o.invocation_id ORDER BY max(n."timestamp") DESC, o.invocation_id LIMIT ${selection.newest})`,
    );
  }
  if (selection.sinceUs !== undefined) parts.push(`i."timestamp" >= make_timestamptz(${Math.trunc(selection.sinceUs)}::BIGINT)`);
  return parts.length === 0 ? 'true' : parts.join(' AND ');
}
