// The search on a terminal: raw keys from /dev/tty, frames drawn inline below the prompt (not
// full screen), and the screen left as it was found. Everything else is SearchSession's.
import { openSync } from 'node:fs';
import { emitKeypressEvents } from 'node:readline';
import { ReadStream, WriteStream } from 'node:tty';
import { displayWidth } from '../format/text-width.ts';
import { renderSearch, type Style } from './search-render.ts';
import type { HistoryRow } from '@bird/history-index';
import type { OutputCorpus } from './output-corpus.ts';
import type { ForgetDone, ForgetRequest, Key, SearchOutcome, SearchSession } from './search-session.ts';
import type { StoredDetails } from './stored-details.ts';

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


/** Carries out a forget the session asked for (the forget key, then y); rejects with why it failed. */
export type Forget = (request: ForgetRequest) => Promise<ForgetDone>;

/**
 * What the search reads only when a key asks for it (each loads DuckDB, ~300 ms, which the first
 * frame must not wait for): the inspected run's output and events (Ctrl-O), what commands printed
 * (Ctrl-Y), the project's commands (Ctrl-T onto `project`).
 */
export interface LazyReads {
  stored(id: string): Promise<StoredDetails>;
  outputs(): Promise<OutputCorpus>;
  projectRows(): Promise<HistoryRow[]>;
}

const why = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * `afterFirstFrame` runs once the first frame is out (on the terminal: its writes block); a
 * session it returns takes the place of the first (which was drawn from part of the index) before
 * any key is read, and is drawn.
 */
export function runOnTerminal(first: SearchSession, terminal: Terminal, height: number, style: Omit<Style, 'nowMs'>, afterFirstFrame: (() => SearchSession | null | void) | undefined, forget: Forget, reads: LazyReads): Promise<TerminalResult> {
  let session = first;
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
  // Forgets run one after another, in the background: the list was redrawn without the command
  // at the y, and the search goes on meanwhile. `reading`: keys are being read (not yet ended).
  let forgets: Promise<void> = Promise.resolve();
  let running = 0;
  let failures = 0;
  let reading = true;
  const startForgets = () => {
    for (const request of session.takeForgets()) {
      running++;
      forgets = forgets
        .then(() => forget(request))
        .then(
          (done) => session.forgetDone(request, done),
          (error: unknown) => {
            failures++;
            session.forgetFailed(request, error instanceof Error ? error.message : String(error));
          },
        )
        .finally(() => {
          running--;
          if (reading) draw();
        });
    }
  };
  // One read at a time (each opens the store); each result goes to the session of its moment.
  let queue: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(read: () => Promise<T>, done: (value: T) => void, failed: (why: string) => void) => {
    queue = queue
      .then(read)
      .then(done, (error: unknown) => failed(why(error)))
      .finally(() => {
        if (reading) draw();
      });
  };
  const startReads = () => {
    const id = session.takeStoredAsk();
    if (id !== null) inTurn(() => reads.stored(id), (details) => session.storedDone(id, { kind: 'read', details }), (reason) => session.storedDone(id, { kind: 'failed', why: reason }));
    if (session.takeOutputsAsk()) inTurn(() => reads.outputs(), (outputs) => session.outputsDone(outputs), (reason) => session.readFailed('outputs', reason));
    if (session.takeProjectAsk()) {
      // After any forget under way: its rows are numbered in the index the project's rows change.
      inTurn(
        () => forgets.then(() => reads.projectRows()),
        (rows) => {
          session = session.withRows(rows);
        },
        (reason) => session.readFailed('project', reason),
      );
    }
  };
  const handle = (input as unknown as { _handle?: { readStop?: () => number; readStart?: () => number } })._handle;
  return new Promise((resolve, reject) => {
    input.setRawMode(true);
    // A lone Esc is told from the start of an arrow key's sequence by a pause: keep it short.
    emitKeypressEvents(input, { escapeCodeTimeout: 50 } as never);
    const typeahead: Key[] = [];
    const finish = (outcome: SearchOutcome) => {
      // Stop reading at once: what is typed from now on stays in the terminal for the shell.
      // Node's stream pause() would go on reading into its buffer, so the handle is stopped.
      handle?.readStop?.();
      reading = false;
      input.off('keypress', onKey);
      output.off('resize', draw);
      // Keys that came in the same read as the one that ended the search are handed on.
      const later = (sequence: string | undefined, key: Key | undefined) => typeahead.push(key ?? { sequence });
      input.on('keypress', later);
      setImmediate(async () => {
        input.off('keypress', later);
        if (running > 0) {
          // A forget still under way is seen to its end before the shell gets its line back.
          session.notice = { kind: 'finishing-forget' };
          draw();
          const failed = failures;
          await forgets;
          if (failures > failed) {
            // It failed: the search goes on, the command back in the list and the reason on the
            // status line, rather than close on a forget the user believes done.
            session.outcome = null;
            typeahead.length = 0;
            reading = true;
            input.on('keypress', onKey);
            output.on('resize', draw);
            handle?.readStart?.();
            draw();
            return;
          }
        }
        output.write(`\x1b8\n\r${ESC}J\x1b8`);
        input.setRawMode(false);
        resolve({ outcome, typeahead });
      });
    };
    const onKey = (sequence: string | undefined, key: Key | undefined) => {
      session.press(key ?? { sequence });
      startForgets();
      startReads();
      if (session.outcome) finish(session.outcome);
      else draw();
    };
    input.on('keypress', onKey);
    output.on('resize', draw);
    draw();
    let whole: SearchSession | null | void;
    try {
      whole = afterFirstFrame?.();
    } catch (error) {
      // The rest of the index could not be read: the screen and the terminal as they were found.
      input.off('keypress', onKey);
      output.off('resize', draw);
      output.write(`\x1b8\n\r${ESC}J\x1b8`);
      input.setRawMode(false);
      reject(error);
      return;
    }
    if (whole) {
      session = whole;
      draw();
    }
    startReads();
  });
}

