// The cli's side of core's command-line parsing (shared with bird-sync): `bird` is the program
// each command's usage line and errors name.
import { parseCommandLine, usageLine, type CommandSpec, type ParsedCommandLine } from '@bird/core';

/** `args` (the words after the command's name) read by the command's declaration in command-specs.ts. */
export function parseCommand<const S extends CommandSpec>(spec: S, args: readonly string[]): ParsedCommandLine<S> {
  return parseCommandLine(spec, args, 'bird');
}

/** `bird history [TEXT] [-n N] …`. */
export function usageOf(spec: CommandSpec): string {
  return usageLine('bird', spec);
}
