/**
 * The marks a hooked shell under passive output capture prints around each command, and that
 * the recorder's log keeps among the bytes the terminal got:
 *
 *   ESC ] 6973 ; C ; <key> BEL    the command's output starts (printed in preexec)
 *   ESC ] 6973 ; D ; <key> BEL    it ends (printed first thing in precmd)
 *
 * `<key>` is `<session id>:<start>`, the command's session and its start time exactly as the
 * spool record carries them, so the drainer joins a record to its output without any new field
 * in the record. fish has no clock: its key is `<session id>:s<n>`, n being the number in the
 * name of the file its record is written to (one record a file). Why a private OSC and not OSC 133 itself: 133;C carries no id (terminals that
 * read one take it as the command line, kitty's `cmdline=`), and when the terminal's own shell
 * integration already prints 133 the hook prints none (never doubled) yet bird must still know
 * where each command starts. An OSC number nobody has given a meaning to is parsed and dropped
 * by every terminal that implements ECMA-48 control strings (xterm, VTE, kitty, iTerm2, WezTerm,
 * tmux, the Linux console), so the screen shows exactly what it shows without it.
 */
export const OUTPUT_MARK_OSC = '6973';

/** The bytes every mark starts with. */
export const OUTPUT_MARK_PREFIX = Buffer.from(`\x1b]${OUTPUT_MARK_OSC};`, 'latin1');

/** What a key may hold: a session id ([A-Za-z0-9_-]), `:`, and an epoch time (digits, `.` or `,`). */
export const OUTPUT_MARK_KEY = /^[A-Za-z0-9_.,:-]{1,240}$/;

/** The longest mark, prefix to BEL: longer runs after the prefix are output, not a mark. */
export const OUTPUT_MARK_MAX_BYTES = OUTPUT_MARK_PREFIX.length + 2 + 240 + 1;

/** The key of a spooled command: what its marks carry (`mark`: its start, or fish's `s<n>`). */
export function outputMarkKey(sessionId: string, mark: string): string {
  return `${sessionId}:${mark}`;
}

/** A mark as the hooks print it (tests, the bench). */
export function outputMark(phase: 'C' | 'D', key: string): string {
  return `\x1b]${OUTPUT_MARK_OSC};${phase};${key}\x07`;
}
