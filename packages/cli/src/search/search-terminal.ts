// The search on a terminal: raw keys from /dev/tty, frames drawn inline below the prompt (not
// full screen), and the screen left as it was found. Everything else is SearchSession's.
import { openSync } from 'node:fs';
import { emitKeypressEvents } from 'node:readline';
import { ReadStream, WriteStream } from 'node:tty';
import { displayWidth } from '../format/text-width.ts';
import { renderSearch, type Style } from './search-render.ts';
import type { Key, SearchOutcome, SearchSession } from './search-session.ts';

export interface Terminal {
  input: ReadStream;
  output: WriteStream;
  close(): void;
}

/** The controlling terminal, opened directly: stdout is the shell's `$(…)` when run from a key binding. */
export function openTerminal(): Terminal {
  const input = new ReadStream(openSync('/dev/tty', 'r'));
  const output = new WriteStream(openSync('/dev/tty', 'w'));
  return {
    input,
    output,
    close: () => {
      input.destroy();
      output.destroy();
    },
  };
}

const ESC = '\x1b[';

/**
 * Runs the session until it has an outcome. Room is made below the cursor by printing
 * newlines (scrolling the screen if the prompt is at its foot), then the cursor goes back to
 * where it was and is saved; each frame rewrites the lines below it, and the end clears them.
 */
export interface TerminalResult {
  outcome: SearchOutcome;
  /**
   * Keys typed after the one that ended the search, read with it (a fast typist's Enter, Enter):
   * Node read them off the terminal, so they are handed on to the shell rather than lost.
   */
  typeahead: Key[];
}


export function runOnTerminal(session: SearchSession, terminal: Terminal, height: number, style: Omit<Style, 'nowMs'>, afterFirstFrame?: () => void): Promise<TerminalResult> {
  const { input, output } = terminal;
  const rows = Math.max(3, Math.min(height, (output.rows || 24) - 1));
  const width = () => Math.max(20, (output.columns || 80) - 1);
  let out = `${'\n'.repeat(rows)}${ESC}${rows}A\r\x1b7`;
  const draw = () => {
    const lines = renderSearch(session, width(), rows, { ...style, nowMs: Date.now() });
    out += '\x1b8';
    for (const line of lines) out += `\n\r${ESC}2K${line}`;
    // The cursor goes where the query is typed: the first line below the prompt, after "> ".
    out += `\x1b8\n\r${ESC}${2 + displayWidth(session.query.slice(0, session.cursor))}C`;
    output.write(out);
    out = '';
  };
  return new Promise((resolve) => {
    input.setRawMode(true);
    // A lone Esc is told from the start of an arrow key's sequence by a pause: keep it short.
    emitKeypressEvents(input, { escapeCodeTimeout: 50 } as never);
    const typeahead: Key[] = [];
    const finish = (outcome: SearchOutcome) => {
      // Stop reading at once: what is typed from now on stays in the terminal for the shell.
      // Node's stream pause() would go on reading into its buffer, so the handle is stopped.
      (input as unknown as { _handle?: { readStop?: () => number } })._handle?.readStop?.();
      input.off('keypress', onKey);
      output.off('resize', draw);
      output.write(`\x1b8\n\r${ESC}J\x1b8`);
      // Keys that came in the same read as the one that ended the search are handed on.
      const later = (sequence: string | undefined, key: Key | undefined) => typeahead.push(key ?? { sequence });
      input.on('keypress', later);
      setImmediate(() => {
        input.off('keypress', later);
        input.setRawMode(false);
        resolve({ outcome, typeahead });
      });
    };
    const onKey = (sequence: string | undefined, key: Key | undefined) => {
      session.press(key ?? { sequence });
      if (session.outcome) finish(session.outcome);
      else draw();
    };
    input.on('keypress', onKey);
    output.on('resize', draw);
    draw();
    afterFirstFrame?.();
  });
}

