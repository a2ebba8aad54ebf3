/**
 * Which parsers read an output, and their events. A parser is picked by the command (its
 * executable, or its first words: `python3 -m pytest`) and by a line only its format prints;
 * when none finds anything, the generic `file:line: error|warning` fallback runs. A parser that
 * throws, or takes longer than its budget, gives no events: a command's output is never lost to
 * its parsing, only its events.
 */
import { cleanOutput } from './clean-output.ts';
import type { OutputParser } from './output-parser.ts';
import type { ParsedEvent } from './parsed-event.ts';
import { fallbackParser, PARSERS } from './parsers/index.ts';

/** Far above what a parser takes over the 1 MiB an output keeps (bench/events-parse.md). */
export const PARSER_BUDGET_MS = 250;
/** An output that says more than this is noise past its first ones (a broken header, 10 000 times). */
export const EVENTS_MAX_PER_OUTPUT = 1000;

/** Words that run the command named after them: `sudo make`, `npx tsc`, `time cargo build`. */
const RUNNERS = new Set(['sudo', 'env', 'time', 'nice', 'exec', 'command', 'nohup', 'npx', 'bunx', 'pnpx', 'xargs', 'timeout']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** The command's words from its executable on, each a basename (`/usr/bin/gcc` → `gcc`). */
export function commandWords(cmd: string): string[] {
  const words = cmd.trim().split(/\s+/).filter((w) => w !== '').slice(0, 8);
  let i = 0;
  while (i < words.length && (ASSIGNMENT.test(words[i]!) || RUNNERS.has(basename(words[i]!)) || (i > 0 && /^-|^\d+[smh]?$/.test(words[i]!) && RUNNERS.has(basename(words[i - 1]!))))) i++;
  return words.slice(i).map((w, k) => (k === 0 ? basename(w) : w));
}

function basename(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}

function commandNames(parser: OutputParser, words: readonly string[]): boolean {
  return parser.commands.some((c) => {
    const want = c.split(' ');
    return want.every((w, k) => words[k] === w);
  });
}

function mayLookLike(parser: OutputParser, text: string): boolean {
  return parser.mentions === undefined || parser.mentions.some((m) => text.includes(m));
}

export interface ParseOutcome {
  readonly events: ParsedEvent[];
  /** Parsers that threw or ran past their budget, for a note where it is useful. */
  readonly failed: string[];
}

export interface ParseOptions {
  /** The clock the budget is kept by (tests give one that jumps). */
  readonly now?: () => number;
  readonly parsers?: readonly OutputParser[];
}

export function parseOutput(text: string, cmd: string, options: ParseOptions = {}): ParseOutcome {
  const now = options.now ?? (() => performance.now());
  const { lines, text: plain } = cleanOutput(text);
  const words = commandWords(cmd);
  const chosen = (options.parsers ?? PARSERS).filter((p) => commandNames(p, words) || (mayLookLike(p, plain) && p.looksLike.test(plain)));
  const failed: string[] = [];
  const run = (parser: OutputParser): ParsedEvent[] => {
    const started = now();
    try {
      const events = parser.parse(lines);
      if (now() - started > PARSER_BUDGET_MS) {
        failed.push(parser.name);
        return [];
      }
      return events;
    } catch {
      // A parser that throws stores no events; the caller names it (`failed`), and the output stays.
      failed.push(parser.name);
      return [];
    }
  };
  let events = chosen.flatMap(run);
  if (events.length === 0) events = run(fallbackParser);
  return { events: distinct(events).slice(0, EVENTS_MAX_PER_OUTPUT), failed };
}

/**
 * Each event once: two parsers may read the same line the same way (gcc and make both see gcc's
 * output), and an output that repeats itself (a watch mode, a retried build) repeats its events.
 * Candidates are found by their text and line and then compared field by field: no key string is
 * built per event, which cost more than the parsing itself on output dense with events.
 */
function distinct(events: readonly ParsedEvent[]): ParsedEvent[] {
  const seen = new Map<string | null, Map<number | null, ParsedEvent[]>>();
  const out: ParsedEvent[] = [];
  for (const e of events) {
    const text = e.test_name ?? e.message;
    let byLine = seen.get(text);
    if (byLine === undefined) seen.set(text, (byLine = new Map()));
    let same = byLine.get(e.ref_line);
    if (same === undefined) byLine.set(e.ref_line, (same = []));
    if (same.some((s) => sameEvent(s, e))) continue;
    same.push(e);
    out.push(e);
  }
  return out;
}

function sameEvent(a: ParsedEvent, b: ParsedEvent): boolean {
  return (
    a.kind === b.kind &&
    a.severity === b.severity &&
    a.ref_file === b.ref_file &&
    a.ref_line === b.ref_line &&
    a.ref_column === b.ref_column &&
    a.message === b.message &&
    a.code === b.code &&
    a.test_name === b.test_name &&
    a.status === b.status &&
    a.duration_ms === b.duration_ms
  );
}
