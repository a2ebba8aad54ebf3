import type { ParsedEvent } from './parsed-event.ts';

/** One tool's output format. Pure: lines in, events out. */
export interface OutputParser {
  readonly name: string;
  /** Executables (and `tool subcommand` pairs) whose output this parser reads. */
  readonly commands: readonly string[];
  /** A line only this format prints: the parser runs on any output where a line matches. */
  readonly looksLike: RegExp;
  parse(lines: readonly string[]): ParsedEvent[];
}
