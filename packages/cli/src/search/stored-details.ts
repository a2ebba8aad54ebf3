// What the inspector (Ctrl-O) shows below a command's details: the end of its stored output and
// the events parsed from it. Read through DuckDB, so only when Ctrl-O is pressed, never before the
// first frame; each part made safe for the terminal as `bird output` and `bird events` make it.
import { quoteLiteral } from '@bird/core';
import type { CliContext } from '../context.ts';
import { listEvents } from '../events/list-events.ts';
import { quickfixLine } from '../events/quickfix-line.ts';
import { layoutOf } from '../layout.ts';
import { bytesOfOutput, outputRowsOf } from '../run/stored-output.ts';
import { outputForTerminal } from '../run/terminal-output.ts';
import { connect, MINIMAL } from '../store-access.ts';

/** One stream's last lines, as `bird output` shows them on a terminal (colours kept, all else escaped); or why it could not be read. */
export interface StoredStream {
  stream: string;
  lines: string[];
  problem?: string;
}

export interface StoredDetails {
  streams: StoredStream[];
  /** `bird events` lines of the command. */
  events: string[];
}

/** Bytes read from the end of an output: more than a screen of lines holds. */
const TAIL_BYTES = 16 * 1024;

/** The last `keep` lines of terminal-safe text (a final line break ends the last line, it starts none). */
export function lastLines(text: string, keep: number): string[] {
  const lines = text.replace(/\r?\n$/, '').split(/\r?\n/);
  return (lines.length === 1 && lines[0] === '' ? [] : lines).slice(-keep).map((line) => line.replace(/\t/g, '  '));
}

export async function readStoredDetails(ctx: CliContext, id: string, keepLines = 50): Promise<StoredDetails> {
  const layout = layoutOf(ctx);
  const conn = await connect(ctx, MINIMAL, { quiet: true });
  try {
    const rows = await outputRowsOf(conn, id);
    const streams = rows.map((row): StoredStream => {
      const stream = row.stream ?? 'output';
      try {
        // One damaged output is said where it would be shown; the others still are.
        const bytes = bytesOfOutput(layout, row);
        return { stream, lines: lastLines(outputForTerminal(bytes.subarray(Math.max(0, bytes.length - TAIL_BYTES))), keepLines) };
      } catch (error) {
        return { stream, lines: [], problem: (error as Error).message };
      }
    });
    const events = (await listEvents(conn, `i.id = ${quoteLiteral(id)}`)).map(quickfixLine);
    return { streams, events };
  } finally {
    conn.close();
  }
}
