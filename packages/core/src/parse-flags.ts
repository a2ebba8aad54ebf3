// Parses a command line by its declaration (command-spec.ts), by hand: every message is bird's
// own sentence, names the flag as it was typed, and ends with the usage line (exit 2).
import type { CommandSpec, FlagSpec, ParsedCommandLine } from './command-spec.ts';
import { usageError } from './errors.ts';
import { flagUsage, usageLine, usageName } from './usage-line.ts';

/**
 * `args` (the words after the command's name) read by `spec`: `--flag VALUE`, `--flag=VALUE`,
 * `-n VALUE`, `-n5`, `-r0` (one-letter booleans together), `--` before operands that start with
 * `-`. A value is checked against the flag's type (a whole number, one of the values); an unknown
 * flag, a missing value or a wrong number of operands is a usage error naming `program`'s usage.
 *
 * @example
 * parseCommandLine(HISTORY, ['-n', '5', 'git'], 'bird') // { values: { limit: 5 }, operands: ['git'] }
 */
export function parseCommandLine<const S extends CommandSpec>(spec: S, args: readonly string[], program: string): ParsedCommandLine<S> {
  const fail = (message: string) => usageError(`${message}; usage: ${usageLine(program, spec)}`);
  const values: Record<string, unknown> = {};
  const operands: string[] = [];
  const byLong = new Map(spec.flags.map((f) => [f.name, f]));
  const byShort = new Map(spec.flags.filter((f) => f.short !== undefined).map((f) => [f.short!, f]));

  /** Stores `text` as `flag`'s value, typed `typed`, checked against its type. */
  const set = (flag: FlagSpec, typed: string, text: string) => {
    const name = typed === usageName(flag) ? typed : `${typed} (${usageName(flag)})`;
    switch (flag.type) {
      case 'boolean':
        throw fail(`${name} does not take a value`);
      case 'number': {
        const n = /^[0-9]+$/.test(text) ? Number(text) : NaN;
        if (!Number.isSafeInteger(n) || n < flag.min) throw fail(`${name} must be a whole number${flag.min > 0 ? ` of at least ${flag.min}` : ''}, not ${JSON.stringify(text)}`);
        values[flag.name] = n;
        return;
      }
      case 'enum':
        if (!flag.values.includes(text)) throw fail(`${name} must be ${choices(flag.values)}, not ${JSON.stringify(text)}`);
        values[flag.name] = text;
        return;
      case 'string':
        values[flag.name] = flag.repeatable ? [...((values[flag.name] as string[] | undefined) ?? []), text] : text;
    }
  };
  /** The word after a flag, as its value. */
  const next = (flag: FlagSpec, typed: string, i: number): string => {
    const name = typed === usageName(flag) ? typed : `${typed} (${usageName(flag)})`;
    const value = args[i + 1];
    if (value === undefined) throw fail(`${name} needs a value`);
    // A forgotten value must not swallow the next flag: one that starts with `-` goes after `=`.
    if (value.startsWith('-') && value !== '-') {
      throw fail(`${name} needs a value, and what follows it looks like another option (for a value that starts with "-", write --${flag.name}=VALUE)`);
    }
    return value;
  };

  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') break;
    if (arg === '-' || !arg.startsWith('-')) {
      operands.push(arg);
      continue;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const typed = eq === -1 ? arg : arg.slice(0, eq);
      const flag = byLong.get(typed.slice(2));
      if (flag === undefined) throw fail(`unknown option ${typed}`);
      if (eq !== -1) set(flag, typed, arg.slice(eq + 1));
      else if (flag.type === 'boolean') values[flag.name] = true;
      else set(flag, typed, next(flag, typed, i++));
      continue;
    }
    // One-letter flags, possibly together: `-r0`, `-n5`, `-rn 5`.
    for (let j = 1; j < arg.length; j++) {
      const typed = `-${arg[j]}`;
      const flag = byShort.get(arg[j]!);
      if (flag === undefined) throw fail(`unknown option ${typed}`);
      if (flag.type === 'boolean') {
        values[flag.name] = true;
        continue;
      }
      set(flag, typed, j + 1 < arg.length ? arg.slice(j + 1) : next(flag, typed, i++));
      break;
    }
  }
  operands.push(...args.slice(i + 1));

  checkOperands(spec, operands, values, fail);
  for (const flag of spec.flags) if (flag.required && values[flag.name] === undefined) throw fail(`missing ${flagUsage(flag)}`);
  return { values, operands } as unknown as ParsedCommandLine<S>;
}

function checkOperands(spec: CommandSpec, operands: readonly string[], values: Record<string, unknown>, fail: (message: string) => Error): void {
  const operand = spec.operand;
  const max = operand === undefined ? 0 : operand.type === 'text' && operand.many ? Infinity : 1;
  if (operands.length > max) throw fail(`unexpected argument ${JSON.stringify(operands[max])}`);
  if (operand === undefined) return;
  if (operands.length === 0) {
    if (operand.required) throw fail('missing argument');
    return;
  }
  if (operand.type === 'enum' && !operand.values.includes(operands[0]!)) {
    throw usageError(`${operand.label} must be ${choices(operand.values)}, not ${JSON.stringify(operands[0])}.`);
  }
  if (operand.type === 'text' && operand.orFlag !== undefined && values[operand.orFlag] !== undefined) {
    throw fail(`give ${operand.label ?? operand.value} or --${operand.orFlag}, not both`);
  }
}

/** `a, b or c`. */
function choices(values: readonly string[]): string {
  return values.length === 1 ? values[0]! : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
}
