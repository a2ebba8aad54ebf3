/** A command the hook stored live (not an imported row). */
export interface CapturedRow {
  /** As stored: after the privacy rules' redaction, as an imported entry's command is compared. */
  readonly cmd: string;
  readonly startUs: bigint;
  readonly sessionId: string;
}

/**
 * Which entries of a history without times the hook already stored: the rule that keeps
 * `history -a; bird import` on a stock bash (no `HISTTIMEFORMAT`) from storing every command
 * twice. With no time to compare, the file's order and text are all there is, so:
 *
 * 1. The file is read from its last entry back, since what the hook stored was appended last.
 * 2. An entry is a stored command when a stored row of the same text is left that is older than
 *    every row already taken from the same shell session: a session appends its commands to the
 *    history file in the order it ran them, whether it writes them at exit or with
 *    `history -a`; sessions that ran at once may land in the file one after the other.
 * 3. Of those rows it takes the newest, so the last lines of the file take the latest commands.
 * 4. An entry for which no row is left was not stored by the hook: older history, or a command
 *    typed where the hook did not run. It is imported.
 *
 * Each row is taken once, so a command typed once after the hook came is skipped once, and its
 * earlier runs in the older history are still imported. What this cannot tell: a row whose line
 * is not in the file yet (a shell still open) may take an older line of the same text; that
 * line is imported by a later `bird import`, once the open shell's line is there to take the row.
 *
 * @param commands the file's entries in file order, each as it would be stored, or null for one
 *   that takes no part (it has a time, is kept out by the privacy rules, or was imported before)
 * @returns for each entry, the index in `captured` of the row it is, or -1
 *
 * @example
 * matchUntimedToCaptured(['ls', 'make', 'ls'], [{ cmd: 'ls', startUs: 5n, sessionId: 's' }])
 * // [-1, -1, 0]: the last `ls` is the stored one, the first is older history
 */
export function matchUntimedToCaptured(commands: readonly (string | null)[], captured: readonly CapturedRow[]): number[] {
  // cmd → session → that session's rows of it, newest first, and how many of them are used up.
  const rows = new Map<string, Map<string, { order: number[]; next: number }>>();
  const wanted = new Set(commands);
  captured.forEach((row, index) => {
    if (!wanted.has(row.cmd)) return;
    const sessions = rows.get(row.cmd) ?? rows.set(row.cmd, new Map()).get(row.cmd)!;
    const list = sessions.get(row.sessionId) ?? sessions.set(row.sessionId, { order: [], next: 0 }).get(row.sessionId)!;
    list.order.push(index);
  });
  for (const sessions of rows.values()) for (const list of sessions.values()) list.order.sort((a, b) => newestFirst(captured[a]!.startUs, captured[b]!.startUs));

  /** Per session, the start of the oldest row taken so far: later takes must be older. */
  const floor = new Map<string, bigint>();
  const matched = commands.map(() => -1);
  for (let i = commands.length - 1; i >= 0; i--) {
    const sessions = commands[i] === null ? undefined : rows.get(commands[i]!);
    if (!sessions) continue;
    let best: { sessionId: string; list: { order: number[]; next: number } } | null = null;
    for (const [sessionId, list] of sessions) {
      const below = floor.get(sessionId);
      // A row not older than one already taken from its session never can be again: skip it for good.
      while (list.next < list.order.length && below !== undefined && captured[list.order[list.next]!]!.startUs >= below) list.next++;
      if (list.next >= list.order.length) continue;
      if (!best || captured[list.order[list.next]!]!.startUs > captured[best.list.order[best.list.next]!]!.startUs) best = { sessionId, list };
    }
    if (!best) continue;
    const index = best.list.order[best.list.next++]!;
    matched[i] = index;
    floor.set(best.sessionId, captured[index]!.startUs);
  }
  return matched;
}

function newestFirst(a: bigint, b: bigint): number {
  return a === b ? 0 : a > b ? -1 : 1;
}
