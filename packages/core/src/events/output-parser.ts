import type { ParsedEvent } from './parsed-event.ts';

/** One tool's output format. Pure: lines in, events out. */
export interface OutputParser {
  readonly name: string;
  /** Executables (and `tool subcommand` pairs) whose output this parser reads. */
  readonly commands: readonly string[];
  /** A line only this format prints: the parser runs on any output where a line matches. */
  readonly looksLike: RegExp;
  /**
   * Text of which every match of `looksLike` holds one: an output that holds none is not tested
   * against it (a substring search costs a tenth of what a pattern over 100 KB does). Absent: always tested.
   */
  readonly mentions?: readonly string[];
  parse(lines: readonly string[]): ParsedEvent[];
}
