/**
 * Consecutive days grouped so that each group holds at most `per` commands, unless one day alone
 * holds more (a day is never split): how a scan of the whole store reads it in few queries with
 * bounded memory. `counts` is each day's number of commands, in order.
 */
export function dayRanges(counts: readonly (readonly [day: string, commands: number])[], per: number): [first: string, last: string][] {
  const ranges: [string, string][] = [];
  let current: [string, string] | null = null;
  let held = 0;
  for (const [day, n] of counts) {
    if (current !== null && held + n > per) {
      ranges.push(current);
      current = null;
    }
    if (current === null) {
      current = [day, day];
      held = 0;
    }
    current[1] = day;
    held += n;
  }
  if (current !== null) ranges.push(current);
  return ranges;
}
