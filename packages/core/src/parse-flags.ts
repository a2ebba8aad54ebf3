import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usageError } from './errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedFlags {
  readonly values: Record<string, string | boolean | undefined>;
  readonly positionals: string[];
}

/**
 * Strict flag parsing for one command: an unknown flag, a missing value or a wrong number of
 * arguments becomes a usage error (exit 2) naming the problem and showing `usage`.
 */
export function parseFlags(
  args: readonly string[],
  options: Options,
  usage: string,
  positionals: { min: number; max: number } = { min: 0, max: 0 },
): ParsedFlags {
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: true }) as typeof parsed;
  } catch (error) {
    throw usageError(`${nodeParseMessage(error)}; usage: ${usage}`);
  }
  const count = parsed.positionals.length;
  if (count > positionals.max) {
    throw usageError(`unexpected argument ${JSON.stringify(parsed.positionals[positionals.max])}; usage: ${usage}`);
  }
  if (count < positionals.min) throw usageError(`missing argument; usage: ${usage}`);
  return parsed;
}

/** Node's parseArgs messages, cut to their first sentence and lower-cased to follow `bird: `. */
function nodeParseMessage(error: unknown): string {
  const message = (error as Error).message.split('\n')[0]!.replace(/\. To specify.*$/, '').replace(/\.$/, '');
  const unknown = /^Unknown option '(.+)'$/.exec(message);
  if (unknown) return `unknown option ${unknown[1]}`;
  const missing = /^Option '(?:(-\w), )?(--[\w-]+)(?: <value>)?' argument missing$/.exec(message);
  if (missing) return `${flagName(missing[1], missing[2]!)} needs a value`;
  const noValue = /^Option '(?:(-\w), )?(--[\w-]+)' does not take an argument$/.exec(message);
  if (noValue) return `${flagName(noValue[1], noValue[2]!)} does not take a value`;
  const ambiguous = /^Option '(-[\w-]+)' argument is ambiguous$/.exec(message);
  if (ambiguous) return `${ambiguous[1]} needs a value, and what follows it looks like another option`;
  return message.charAt(0).toLowerCase() + message.slice(1);
}

/** `-n` rather than `--n` for one-letter flags. */
const flagName = (short: string | undefined, long: string) => (short && long.length === 3 ? short : long);

/** Picks one of `allowed` or fails with a usage error naming the flag. */
export function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw usageError(`${flag} must be ${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}, not ${JSON.stringify(value)}.`);
}
