const SECOND_US = 1_000_000n;

/**
 * The time each entry is stored at, from the times its history file gives (null where it gives
 * none): the file's order holds, strictly, whatever times are missing.
 *
 * - An entry without a time goes just before everything after it in the file, and before
 *   `latestUs`, a microsecond apart from its neighbours: bash lines from before `HISTTIMEFORMAT`
 *   sort before the first timed one, a fish entry with a corrupt `when` between its neighbours.
 *   The caller's `latestUs` is when such an entry ran at the latest: the file's modification
 *   time, or the first command the hook stored, if earlier (see planImport).
 * - Shells write whole seconds: an entry that starts within a second before the one above it
 *   (the same second, or one pushed up by the rule below) goes a microsecond after it. A clock
 *   that went back further is left as it is.
 *
 * @example
 * placeInFileOrder([null, 5_000_000n, null, 5_000_000n], 9_000_000n)
 * // [4_999_999n, 5_000_000n, 5_000_001n, 5_000_002n]
 */
export function placeInFileOrder(starts: readonly (bigint | null)[], latestUs: bigint): bigint[] {
  const typed = BigInt64Array.from(starts, (s) => s ?? NO_START);
  return [...placeInFileOrderOf(typed, typed.length, latestUs)];
}

/** Stands for "no time" in placeInFileOrderOf's starts (a history time is never negative, see history-time.ts). */
export const NO_START = -1n;

/** placeInFileOrder of the first `count` of `starts`, in place: 8 bytes an entry, for a history of millions. */
export function placeInFileOrderOf(starts: BigInt64Array, count: number, latestUs: bigint): BigInt64Array {
  const placed = starts.subarray(0, count);
  let ceiling = latestUs;
  for (let i = count - 1; i >= 0; i--) {
    const start = placed[i]!;
    if (start === NO_START) ceiling = placed[i] = ceiling - 1n;
    else if (start < ceiling) ceiling = start;
  }
  for (let i = 1; i < count; i++) {
    const before = placed[i - 1]!;
    if (placed[i]! <= before && before - placed[i]! < SECOND_US) placed[i] = before + 1n;
  }
  return placed;
}
